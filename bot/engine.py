"""The answer engine: one object that the CLI and the Telegram bot share.

It loads the model once, serves questions from the live index version and
picks up a new version as soon as an indexing run publishes it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
import unicodedata
from pathlib import Path

from .answer import Answer, Citation, compose, is_relevant, not_found
from .config import Settings
from .embeddings import make_embedder
from .errors import CongressBotError, DuplicateFile, Skipped, SkipReason, UnsupportedFile
from .glossary import GLOSSARY_FILE, Glossary
from .indexer import Indexer, IndexReport, Progress, display_name
from .loaders import SUPPORTED_SUFFIXES
from .query import analyze
from .retrieve import HybridSearcher
from .store import IndexMissingError, IndexStore, Snapshot, check_model
from .textnorm import looks_vietnamese, normalize

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 1000
MIN_SENTENCE_COVERAGE = 0.15
TYPE_MISSING = {
    "day": "Các tài liệu có nói về nội dung này nhưng không nêu ngày cụ thể.",
    "date": "Các tài liệu có nói về nội dung này nhưng không nêu thời gian cụ thể.",
    "count": "Các tài liệu có nói về nội dung này nhưng không nêu con số cụ thể.",
}


class QuestionError(ValueError):
    """A question that cannot be answered as asked; the message is for the user (Vietnamese)."""


class KnowledgeDirMissing(CongressBotError, FileNotFoundError):
    """The configured knowledge directory does not exist."""


class Engine:
    def __init__(self, settings: Settings, embedder=None) -> None:
        self.settings = settings
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
        self._lock = threading.Lock()

    # -- index lifecycle -------------------------------------------------------
    def ensure_index(self, progress: Progress | None = None) -> IndexReport | None:
        """Build the index on first use."""
        if self.store.current_version() is None:
            log.info("no index yet in %s: building it from %s", self.settings.index_dir, self.settings.knowledge_dir)
            return self.index(progress=progress)
        return None

    def searcher(self) -> HybridSearcher:
        """The searcher for the live version, reopened when a new one is published."""
        version = self.store.current_version()
        current = self._searcher
        if current is not None and current.snapshot.version == version:
            return current
        with self._lock:
            if self._searcher is None or self._searcher.snapshot.version != version:
                if version is None:
                    raise IndexMissingError(f"no index in {self.settings.index_dir}; build it with: congress-bot index")
                snapshot = Snapshot(self.settings.index_dir / version)
                check_model(snapshot.manifest, self.embedder.model_id, self.embedder.dim)
                self._searcher = HybridSearcher(snapshot, self.embedder, self.glossary)
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
        report.skipped = skipped + report.skipped
        # A file that could not be indexed must not stay in knowledge/ to fail every sync.
        for s in report.skipped:
            for t in targets:
                if t.name == s.file:
                    t.unlink(missing_ok=True)
        return report

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
        row = self.searcher().snapshot.query("SELECT path FROM documents WHERE doc_id = ?", (doc_id,))
        if not row:
            return False
        removed = self.indexer.remove(doc_id)
        path = self.indexer.file_of(row[0]["path"])
        for p in (path, path.with_name(path.name + ".meta.json")):
            if p.exists() and self.settings.knowledge_dir.resolve() in p.resolve().parents:
                p.unlink()
        return removed

    def documents(self) -> list[dict]:
        rows = self.searcher().snapshot.query(
            "SELECT doc_id, title, published, source, author, doc_type, doc_number, cited, n_passages, path"
            " FROM documents ORDER BY published DESC, doc_id"
        )
        return [dict(r) for r in rows]

    def passage(self, passage_id: int) -> dict | None:
        """One passage of the live version with its document's details (to show a citation in full)."""
        rows = self.searcher().snapshot.query(
            "SELECT p.id AS passage_id, p.text, d.doc_id, d.title, d.source, d.published, d.doc_type"
            " FROM passages p JOIN documents d ON d.doc_id = p.doc_id WHERE p.id = ?",
            (passage_id,),
        )
        return dict(rows[0]) if rows else None

    def stats(self) -> dict:
        s = self.searcher()
        docs = s.snapshot.query("SELECT count(*) FROM documents")[0][0]
        return {
            "documents": docs,
            "passages": s.n_passages,
            "version": s.snapshot.version,
            "model": s.snapshot.manifest.model_id,
        }

    # -- asking ------------------------------------------------------------------
    def ask(self, question: str, context: str | None = None) -> Answer:
        """Answer one question; ``context`` is the question a follow-up replies to."""
        started = time.perf_counter()
        text = self.check_question(question)
        searcher = self.searcher()
        q = analyze(f"{context} {text}" if context else text, self.glossary)
        if context:
            follow = analyze(text, self.glossary)
            q.places = follow.places or q.places
        answer = self._answer(question, q, searcher)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def _answer(self, question: str, q, searcher: HybridSearcher) -> Answer:
        # One embedding and one search per question; the rest filters this list.
        all_hits = searcher.search(q, k=30, vector=searcher.embed(q))
        ranked = list(dict.fromkeys(h.doc_id for h in all_hits))
        hits = all_hits[: 20 if "compare" in q.wants else 8]
        answer = self._decide(question, q, searcher, hits, all_hits)
        answer.ranked_docs = ranked
        return answer

    def _decide(self, question: str, q, searcher: HybridSearcher, hits: list, all_hits: list) -> Answer:
        unknown_refs = [r for r in q.refs if r.key not in searcher.corpus_refs()]
        nearest = list(dict.fromkeys(h.title for h in hits))[:3] or [d["title"] for d in self.documents()[:3]]
        if unknown_refs:
            labels = ", ".join(r.label() for r in unknown_refs)
            return not_found(question, f"Các tài liệu hiện có không nhắc đến {labels}.", nearest, "unknown_ref")
        missing = [p.name for p in q.places if not searcher.corpus_has(p.folded)]
        if missing:
            return not_found(
                question, f"Các tài liệu hiện có không nói về {', '.join(missing)}.", nearest, "unknown_place"
            )
        units = [u for u in q.units if not (searcher.corpus_has(u) or searcher.corpus_has(f"quan khu {u[2:]}"))]
        if units:
            names = ", ".join(f"Quân khu {u[2:]}" for u in units)
            return not_found(question, f"Các tài liệu hiện có không nói về {names}.", nearest, "unknown_unit")
        if q.places and "compare" not in q.wants:
            # Never answer about one province or unit from another's documents.
            allowed = set().union(*(searcher.docs_mentioning(p.folded) for p in q.places))
            hits = [h for h in all_hits if h.doc_id in allowed][:8]
        if "author" in q.wants and hits:
            authored = self._author_answer(question, searcher, hits)
            if authored:
                return authored
        if not hits or not is_relevant(q, hits[0]):
            return not_found(question, None, nearest, "no_match")
        idf = {t: searcher.idf(t) for t in q.terms}
        comp = compose(q, hits, idf)
        if not comp.citations or comp.coverage < MIN_SENTENCE_COVERAGE:
            return not_found(question, None, nearest, "no_match")
        if not comp.type_ok:
            why = next((TYPE_MISSING[w] for w in ("day", "date", "count") if w in q.wants), None)
            return not_found(question, why, nearest, "no_answer_type")
        return Answer(question, True, comp.text, comp.citations)

    def _author_answer(self, question: str, searcher: HybridSearcher, hits: list) -> Answer | None:
        """ "Ai là tác giả bài viết về …?": the author line of the best matching
        document, quoted from the passage that holds it."""
        doc_id = hits[0].doc_id
        row = searcher.snapshot.query("SELECT author FROM documents WHERE doc_id = ?", (doc_id,))
        author = row[0]["author"] if row else None
        if not author:
            return None
        found = searcher.snapshot.query(
            "SELECT id FROM passages WHERE doc_id = ? AND instr(text, ?) > 0 ORDER BY position DESC LIMIT 1",
            (doc_id, author),
        )
        if not found:
            return None
        loaded = searcher.load_hits([found[0]["id"]])
        if not loaded:
            return None
        return Answer(question, True, f"{author} [1]", [Citation.from_hit(1, loaded[0], 1.0)])

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


def safe_filename(name: str) -> str:
    """A file name that cannot escape the knowledge directory or hide itself."""
    name = normalize(Path(name.replace("\\", "/")).name)
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" .")
    name = re.sub(r"\s+", "_", name)
    if not name or name.startswith((".", "_")):
        name = "document" + (Path(name).suffix if name else "")
    return name[:120]
