"""The answer engine: one object that the CLI and the Telegram bot share.

It loads the model once, serves questions from the live index version and
picks up a new version as soon as an indexing run publishes it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from .answer import SMALL_TALK_REPLIES, Answer
from .config import Settings
from .decide import decide
from .embeddings import make_embedder
from .errors import CongressBotError, DuplicateFile, Skipped, SkipReason, UnsupportedFile
from .glossary import GLOSSARY_FILE, Glossary
from .indexer import Indexer, IndexReport, Progress, display_name
from .loaders import SUPPORTED_SUFFIXES
from .params import DEFAULT_ANSWER, DEFAULT_SEARCH, AnswerParams, SearchParams
from .query import analyze, small_talk
from .relations import RelationKind, diff_sections, ref_label, relations_from_json
from .retrieve import HybridSearcher
from .store import IndexStore, check_model
from .structure import section_outline
from .textnorm import looks_vietnamese, normalize

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 1000


class QuestionError(ValueError):
    """A question that cannot be answered as asked; the message is for the user (Vietnamese)."""


class KnowledgeDirMissing(CongressBotError, FileNotFoundError):
    """The configured knowledge directory does not exist."""


class Engine:
    def __init__(
        self,
        settings: Settings,
        embedder=None,
        search: SearchParams = DEFAULT_SEARCH,
        answer: AnswerParams = DEFAULT_ANSWER,
    ) -> None:
        self.settings = settings
        self.search_params = search
        self.answer_params = answer
        if not settings.knowledge_dir.is_dir():
            raise KnowledgeDirMissing(
                f"knowledge directory {settings.knowledge_dir} not found; run from the project folder "
                "or set CONGRESS_BOT_KNOWLEDGE_DIR"
            )
        self.embedder = embedder or make_embedder(settings.embedder)
        self.glossary = Glossary.load(settings.knowledge_dir / GLOSSARY_FILE)
        self.store = IndexStore(settings.index_dir)
        self.indexer = Indexer(self.store, self.embedder, self.glossary, settings.knowledge_dir)
        self._searcher: HybridSearcher | None = None
        # Searchers of earlier versions still in use by a question (searcher -> number of leases);
        # each is closed when its last lease ends.
        self._leases: dict[HybridSearcher, int] = {}
        self._lock = threading.Lock()
        self._lexical_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lexical")

    # -- index lifecycle -------------------------------------------------------
    def ensure_index(self, progress: Progress | None = None) -> IndexReport | None:
        """Build the index on first use."""
        if self.store.current_version() is None:
            log.info("no index yet in %s: building it from %s", self.settings.index_dir, self.settings.knowledge_dir)
            return self.index(progress=progress)
        if not self.store.is_current_schema():
            log.info("the index in %s is from an older version: rebuilding it", self.settings.index_dir)
            return self.index(rebuild=True, progress=progress)
        return None

    def pending_changes(self) -> int:
        """How many documents of the knowledge directory the live index does not hold as they are now
        (added, changed, removed, or indexed by an older congress-bot): ``index`` would process them."""
        with self.lease() as searcher:
            known = searcher.snapshot.content_hashes()
        return self.indexer.pending(known)

    def searcher(self) -> HybridSearcher:
        """The searcher for the live version, reopened when a new one is published.

        It stays open only until the next version is picked up; code that may run while another
        thread picks one up (any question in the bot) holds a :meth:`lease` instead.
        """
        with self._lock:
            return self._live()

    @contextmanager
    def lease(self) -> Iterator[HybridSearcher]:
        """The live searcher, kept open until the block ends even if a new version is published meanwhile;
        the searcher of a replaced version is closed when its last lease ends."""
        with self._lock:
            searcher = self._live()
            self._leases[searcher] = self._leases.get(searcher, 0) + 1
        try:
            yield searcher
        finally:
            with self._lock:
                self._leases[searcher] -= 1
                if not self._leases[searcher]:
                    del self._leases[searcher]
                    if searcher is not self._searcher:
                        searcher.snapshot.close()

    def _live(self) -> HybridSearcher:
        """(With the lock held.)  Open the published version if it is not the one open; close the one it
        replaces unless a question still holds it."""
        current = self._searcher
        if current is not None and current.snapshot.version == self.store.current_version():
            return current
        snapshot = self.store.open_snapshot()
        try:
            check_model(snapshot.manifest, self.embedder.model_id, self.embedder.dim)
        except BaseException:
            snapshot.close()
            raise
        self._searcher = HybridSearcher(snapshot, self.embedder, self.glossary, self.search_params)
        if current is not None and current not in self._leases:
            current.snapshot.close()
        return self._searcher

    def index(self, rebuild: bool = False, progress: Progress | None = None) -> IndexReport:
        self.glossary = Glossary.load(self.settings.knowledge_dir / GLOSSARY_FILE)
        self.indexer.glossary = self.glossary
        return self.indexer.sync(rebuild=rebuild, progress=progress)

    def add_files(self, paths: list[Path], progress: Progress | None = None) -> IndexReport:
        """Copy files into the knowledge directory (safe names, no overwriting,
        no duplicate content) and index just them."""
        targets: list[Path] = []
        skipped: list[Skipped] = []
        for path in paths:
            name = display_name(Path(path).name)
            try:
                target = self.store_file(name, Path(path).read_bytes())
            except (UnsupportedFile, DuplicateFile) as exc:
                skipped.append(Skipped(name, exc.reason, exc.detail))
                continue
            except OSError as exc:
                skipped.append(Skipped(name, SkipReason.UNREADABLE, exc.strerror or str(exc)))
                continue
            targets.append(target)
        report = self.indexer.index_paths(targets, progress=progress) if targets else IndexReport()
        if report.documents:
            self.describe_changes(report)
        report.skipped = skipped + report.skipped
        # A file that could not be indexed must not stay in knowledge/ to fail every sync.
        for s in report.skipped:
            for t in targets:
                if t.name == s.file:
                    t.unlink(missing_ok=True)
        return report

    def describe_changes(self, report: IndexReport) -> None:
        """For each added document that replaces or amends one already in the knowledge base, the
        sections that differ (added, removed, changed), matched by number and heading."""
        with self.lease() as searcher:
            statuses = searcher.statuses()
            for doc in report.documents:
                changes = []
                for other, (label, status) in statuses.items():
                    kind = None
                    if status.replaced_by and status.replaced_by.doc_id == doc["doc_id"]:
                        kind = "replaces"
                    elif any(a.doc_id == doc["doc_id"] for a in status.amended_by):
                        kind = "amends"
                    if kind is None:
                        continue
                    texts = searcher.snapshot.document_texts([other, doc["doc_id"]])
                    diff = diff_sections(section_outline(texts.get(other, "")), section_outline(texts[doc["doc_id"]]))
                    changes.append(
                        {
                            "doc_id": other,
                            "label": label,
                            "kind": kind,
                            "added": [f"{s.number} {s.heading}".strip() for s in diff.added],
                            "removed": [f"{s.number} {s.heading}".strip() for s in diff.removed],
                            "changed": [f"{c.new.number} {c.new.heading}".strip() for c in diff.changed],
                            "lines": diff.describe_vi(),
                        }
                    )
                doc["changes"] = changes

    def store_file(self, filename: str, data: bytes) -> Path:
        """Write an uploaded file into knowledge/ under a safe, unused name.
        Raises UnsupportedFile or DuplicateFile (both LoadError) for files it refuses."""
        name = safe_filename(filename)
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise UnsupportedFile(f"{Path(name).suffix or '(no suffix)'}; send one of {', '.join(SUPPORTED_SUFFIXES)}")
        digest = hashlib.sha256(data).hexdigest()
        for existing in self.settings.knowledge_dir.rglob("*"):
            if existing.is_file() and existing.suffix.lower() in SUPPORTED_SUFFIXES:
                if existing.stat().st_size == len(data) and hashlib.sha256(existing.read_bytes()).hexdigest() == digest:
                    raise DuplicateFile(display_name(existing.name))
        target = self.settings.knowledge_dir / name
        stem, suffix, i = target.stem, target.suffix, 1
        while target.exists():
            i += 1
            target = self.settings.knowledge_dir / f"{stem}-{i}{suffix}"
        tmp = target.with_name(f".{target.name}.part")
        tmp.write_bytes(data)
        tmp.replace(target)
        return target

    def remove(self, doc_id: str) -> bool:
        """Remove a document from the index and its file from knowledge/."""
        with self.lease() as searcher:
            stored = searcher.snapshot.document_path(doc_id)
        if stored is None:
            return False
        removed = self.indexer.remove(doc_id)
        path = self.indexer.file_of(stored)
        for p in (path, path.with_name(path.name + ".meta.json")):
            if p.exists() and self.settings.knowledge_dir.resolve() in p.resolve().parents:
                p.unlink()
        return removed

    def documents(self) -> list[dict]:
        """Every indexed document with its metadata, whether it is in force, and its relations
        to other documents (those absent from the knowledge base are marked)."""
        with self.lease() as searcher:
            rows = searcher.snapshot.documents()
            statuses = searcher.statuses()
        out = []
        for r in rows:
            d = dict(r)
            d["official"] = bool(d["official"])
            relations = relations_from_json(json.loads(d.pop("relations") or "[]"))
            status = statuses.get(d["doc_id"], (None, None))[1]
            missing = {id(m) for m in status.missing_targets} if status else set()
            missing_keys = (
                {(m.kind, ref_label(m.target)) for m in status.missing_targets if m.target} if status else set()
            )
            d["status"] = status.status.value if status else "unknown"
            d["replaced_by"] = _link_dict(status.replaced_by) if status else None
            d["amended_by"] = [_link_dict(a) for a in status.amended_by] if status else []
            d["relations"] = [
                {
                    "kind": rel.kind.value,
                    "target": ref_label(rel.target) if rel.target else rel.scope,
                    "in_knowledge_base": rel.target is not None
                    and (rel.kind, ref_label(rel.target)) not in missing_keys
                    and id(rel) not in missing,
                    "stated_by": rel.stated_by,
                }
                for rel in relations
                if rel.kind is not RelationKind.BASED_ON or rel.target is not None
            ]
            out.append(d)
        return out

    def passage(self, passage_id: int) -> dict | None:
        """One passage of the live version with its document's details (to show a citation in full)."""
        with self.lease() as searcher:
            return searcher.snapshot.passage(passage_id)

    def stats(self) -> dict:
        with self.lease() as s:
            return {
                "documents": s.snapshot.document_count(),
                "passages": s.n_passages,
                "version": s.snapshot.version,
                "model": s.snapshot.manifest.model_id,
            }

    # -- asking ------------------------------------------------------------------
    def ask(self, question: str, context: str | None = None) -> Answer:
        """Answer one question; ``context`` is the question a follow-up replies to."""
        started = time.perf_counter()
        kind = small_talk(question or "")
        if kind:  # a greeting or thanks, even in reply to an answer
            return Answer(question, False, SMALL_TALK_REPLIES[kind], reason="small_talk")
        text = self.check_question(question)
        with self.lease() as searcher:
            q = analyze(f"{context} {text}" if context else text, self.glossary)
            if context:
                follow = analyze(text, self.glossary)
                q.places = follow.places or q.places
            # One embedding and one search per question; answering filters this list.  The BM25 query runs
            # on the lexical thread while this one embeds the question: SQLite and the model both release
            # the GIL, so on two cores the lexical ranking is nearly free.
            lexical = self._lexical_pool.submit(searcher.lexical_ranking, q)
            vector = searcher.embed(q)
            hits = searcher.search(q, k=self.search_params.search_hits, vector=vector, lexical=lexical.result())
            answer = decide(question, q, searcher, hits, self.answer_params, vector)
            answer.ranked_docs = list(dict.fromkeys(h.doc_id for h in hits))
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def check_question(self, question: str) -> str:
        """Normalise a question or raise QuestionError with a message for the user."""
        text = normalize(question or "").strip()
        if not text:
            raise QuestionError("Câu hỏi trống. Hãy nhập câu hỏi, ví dụ: “Quy trình nhân sự đại hội gồm mấy bước?”")
        if len(text) > MAX_QUESTION_CHARS:
            raise QuestionError(
                f"Câu hỏi quá dài ({len(text)} ký tự). Hãy hỏi ngắn gọn, tối đa {MAX_QUESTION_CHARS} ký tự."
            )
        # Emoji and symbols carry no question; keep letters, digits and punctuation.
        text = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LNPZ" or ch in "\n").strip()
        text = re.sub(r"\s+", " ", text)
        if not re.search(r"\w", text):
            raise QuestionError("Câu hỏi cần có chữ. Hãy hỏi bằng tiếng Việt, ví dụ: “Đại hội điểm là gì?”")
        if not looks_vietnamese(text, ignore=self.glossary.abbreviations):
            raise QuestionError(
                "Hiện tôi chỉ trả lời câu hỏi bằng tiếng Việt (có thể gõ không dấu). "
                "Ví dụ: “Quy trình nhân sự đại hội gồm mấy bước?”"
            )
        return text


def _link_dict(link) -> dict | None:
    return None if link is None else {"doc_id": link.doc_id, "label": link.label, "date": link.date}


MAX_NAME_CHARS = 120  # long enough for a document's title, short enough for a listing
MAX_NAME_BYTES = 200  # file systems allow 255 bytes; room for "-2", ".part" and ".meta.json"


def safe_filename(name: str) -> str:
    """A file name that cannot escape the knowledge directory or hide itself; a long one loses the end
    of its stem, never its suffix (which says what the file is)."""
    name = normalize(Path(name.replace("\\", "/")).name)
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" .")
    name = re.sub(r"\s+", "_", name)
    if not name or name.startswith((".", "_")):
        name = "document" + (Path(name).suffix if name else "")
    stem, suffix = Path(name).stem, Path(name).suffix
    while stem and (len(stem + suffix) > MAX_NAME_CHARS or len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES):
        stem = stem[:-1]
    return (stem.rstrip(" ._-") or "document") + suffix
