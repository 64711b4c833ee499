"""Retrieve passages: lexical (FTS5 BM25) + dense (FAISS), fused with RRF.

Reciprocal rank fusion needs no score calibration between BM25 and cosine
similarity.  On top of it, small boosts where they were measured to help
(see docs/benchmarks.md and ``congress-bot eval``): a passage citing the
document number the question names, and the question's words in the title.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from .doctypes import DocType
from .embeddings import VectorEmbedder
from .glossary import Glossary
from .metadata import LOCAL_RANK_PENALTY, DocRef, find_refs
from .params import DEFAULT_SEARCH, SearchParams
from .query import (
    ASKING_WORDS,
    DOMAIN_COMMON,
    FOLDED_COLUMNS,
    WRITTEN_COLUMNS,
    Query,
    Wants,
    analyze,
    fts_match,
    fts_phrase,
)
from .relations import (
    DocInfo,
    DocStatus,
    Status,
    cited_charter_clauses,
    docref_from_meta,
    find_dated_refs,
    format_date,
    pick_by_question,
    ref_year,
    relations_from_json,
    resolve_status,
    same_number_notice,
    status_notice,
)
from .restore import DiacriticRestorer
from .store import Snapshot
from .terms import find_terms, find_years
from .textnorm import fold

_WORDS = re.compile(r"\w+")


def _label_words(q: Query) -> set[str]:
    """The folded words of the documents the question names by number ("quy", "dinh", "294")."""
    return {w for r in q.refs for w in _WORDS.findall(fold(r.label()))}


@dataclass
class Hit:
    passage_id: int
    doc_id: str
    position: int
    start: int
    end: int
    text: str
    title: str
    published: str | None
    source: str | None
    doc_type: str
    section: str | None = None  # "Điều 4, khoản 1" (official documents)
    path: str | None = None
    page: int | None = None
    context: str = ""  # the lead-in of the list this passage's items belong to
    units: list[tuple[str, int, int, int | None]] = field(default_factory=list)  # (label, start, end, page)
    doc_number: str | None = None
    issuer: str | None = None  # the body that issued an official document: "Ban Tổ chức Thành ủy Hà Nội"
    status: str = "in_force"  # in_force | amended | replaced | expired | unknown
    replaced_by: str | None = None  # "Hướng dẫn 06-HD/TW (09/06/2025)"
    notice: str | None = None  # "⚠ Hướng dẫn 01-HD/TW đã được thay thế bởi …"
    term: str | None = None  # the congress term a news source speaks of: "2020-2025"
    term_note: str | None = None  # "nhiệm kỳ 2020–2025" when that term is older than the newest in the corpus
    authority: int = 0  # rank of the document: Điều lệ > Quy định > Hướng dẫn > local guidance > news
    local: bool = False  # an official document of a local committee (see issued_locally)
    score: float = 0.0  # fused
    cosine: float = 0.0  # dense similarity to the question
    coverage: float = 0.0  # share of the question's (IDF-weighted) words found here
    folded_tokens: frozenset[str] = field(default_factory=frozenset, repr=False)
    folded_text: str = field(default="", repr=False)
    title_tokens: frozenset[str] = field(default_factory=frozenset, repr=False)  # the folded words of the title

    def to_document(self) -> Document:
        meta = {
            k: getattr(self, k)
            for k in (
                "passage_id",
                "doc_id",
                "position",
                "start",
                "end",
                "title",
                "published",
                "source",
                "doc_type",
                "score",
                "cosine",
                "coverage",
            )
        }
        return Document(page_content=self.text, metadata=meta, id=str(self.passage_id))


def authority(doc_type: str, official: bool, number: str | None, issuer: str | None) -> int:
    """How much a document's word weighs: its type's rank for an official document (one step
    less when issued by a local committee), nothing for news."""
    if not official:
        return 0
    t = DocType.parse(doc_type) or DocType.NEWS
    return max(t.rank - (LOCAL_RANK_PENALTY if issued_locally(official, number, issuer) else 0), 1)


def _of_place(h: Hit, places: list[str]) -> bool:
    """Is a passage about one of the places (folded names) a question names: it names the place, or its
    document is the guidance of that place's committee ("Ban Tổ chức Thành ủy Hà Nội" for "ở Hà Nội")?"""
    where = f"{h.folded_text} {fold(h.issuer or '') if h.local else ''}"
    return any(re.search(rf"(?<!\w){re.escape(place)}(?!\w)", where) for place in places)


def issued_locally(official: bool, number: str | None, issuer: str | None) -> bool:
    """Is a document an official one of a local committee ("Thành ủy Hà Nội / Ban Tổ chức"), not of the
    centre ("…-QĐ/TW", "Ban Chấp hành Trung ương", "Bộ Chính trị", "Ban Bí thư")?"""
    central = (number or "").upper().endswith("/TW") or any(
        w in fold(issuer or "") for w in ("trung uong", "toan quoc", "bo chinh tri", "ban bi thu")
    )
    return official and not central


# A document named by its title needs this many of its title's words after the kind word ("Hướng dẫn thi hành
# Điều lệ"): two ("hướng dẫn nghiệp vụ của những cơ quan nào") are how any sentence goes on.
TITLE_NAME_MIN_WORDS = 3
# The words titles open with after their kind ("Hướng dẫn thực hiện quy trình, thủ tục …", "Hướng dẫn một số
# vấn đề cụ thể …", "… về công tác tổ chức"): a question goes on with them about anything.
TITLE_OPENING_WORDS = frozenset(
    "thuc hien quy trinh thu tuc mot so van de cu the ve viec cong tac to chuc cac cap dang vien va ban hanh".split()
)


def title_name_words(folded_question: str, doc_type: str, title: str, number: str | None) -> list[str]:
    """The words by which a folded question names an official document by its kind and title, without its
    number: "theo Hướng dẫn thi hành Điều lệ" names Hướng dẫn 06-HD/TW "… thi hành Điều lệ Đảng", "Quy định
    thi hành Điều lệ" Quy định 294-QĐ/TW.  The words after the kind word must run on in the title (at least
    TITLE_NAME_MIN_WORDS of them, one of which is no word of any title's opening: "hướng dẫn thực hiện quy
    trình kết nạp" names no guide).  Empty when the question does not name it so."""
    kind = (DocType.parse(doc_type) or DocType.NEWS).word
    if not kind or doc_type == DocType.CHARTER:
        return []
    k = kind.split()
    title_words = fold(title).split()
    rest = title_words[len(k) :] if title_words[: len(k)] == k else []
    codes = set(re.findall(r"\w+", fold(number or "")))
    while rest and rest[0] in codes | {"so"}:  # "Quy định 294-QĐ/TW thi hành …", "Hướng dẫn số 06-HD/TW …"
        rest = rest[1:]
    padded = f" {' '.join(rest)} "
    found: list[str] = []
    for clause in re.split(r"[^\w\s]", folded_question):  # a title runs on up to a comma at most
        words = clause.split()
        for at in range(len(words) - len(k)):
            if words[at : at + len(k)] != k:
                continue
            after = words[at + len(k) :]
            n = 0
            while n < len(after) and f" {' '.join(after[: n + 1])} " in padded:
                n += 1
            if n >= TITLE_NAME_MIN_WORDS and not set(after[:n]) <= TITLE_OPENING_WORDS and n + len(k) > len(found):
                found = k + after[:n]
    return found


def topic_weights(idf: dict[str, float], exclude: Collection[str] = frozenset()) -> dict[str, float]:
    """The question's words that say what it is about, with their IDF: not the words found in nearly every
    passage (DOMAIN_COMMON) nor ``exclude``; all of them when no other word is left."""
    return {t: w for t, w in idf.items() if t not in DOMAIN_COMMON and t not in exclude} or idf


class HybridSearcher:
    """Lexical + dense search over one index snapshot."""

    def __init__(
        self, snapshot: Snapshot, embedder: VectorEmbedder, glossary: Glossary, params: SearchParams = DEFAULT_SEARCH
    ) -> None:
        self.snapshot = snapshot
        self.params = params
        self.embedder = embedder
        self.glossary = glossary
        self.n_passages = snapshot.passage_count()
        self._df_cache: dict[str, int] = {}
        self._corpus_refs = None
        self._own_refs: dict[tuple[str, int], set[str]] | None = None
        self._statuses: dict[str, tuple[str, DocStatus]] | None = None
        self._infos: dict[str, DocInfo] = {}
        self._years_cache: dict[str, dict[tuple[str, int], set[int]]] = {}
        self._has_cache: dict[tuple[str, bool], bool] = {}  # (phrase, as written) → does the corpus hold it
        self._authorities: dict[str, tuple[int, bool]] = {}
        # passage id -> its folded words, its sections and its title's folded words
        self._tokens: dict[int, tuple[frozenset[str], list[tuple], frozenset[str]]] = {}
        self._passage_refs: dict[int, frozenset[tuple[str, int]]] = {}
        self._rows: dict[int, tuple] = {}  # passage id -> its hit_rows row (an index version never changes)
        self._newest_term: str | None = None
        self._charter: tuple[list[str], list[str]] | None = None
        self._restorer: DiacriticRestorer | None = None
        self._phrase_cache: dict[str, int] = {}
        self._common_cache: dict[tuple[str, bool], bool] = {}

    def restorer(self) -> DiacriticRestorer:
        if self._restorer is None:
            self._restorer = DiacriticRestorer(self.snapshot.body_vocabulary(), self._phrase_count)
        return self._restorer

    def _phrase_count(self, phrase: str) -> int:
        if phrase in self._phrase_cache:
            return self._phrase_cache[phrase]
        if len(self._phrase_cache) > self.params.phrase_cache_size:
            self._phrase_cache.clear()
        self._phrase_cache[phrase] = self._count_phrase(phrase)
        return self._phrase_cache[phrase]

    def _count_phrase(self, phrase: str) -> int:
        return self.snapshot.count_matches("{body} : " + fts_phrase(phrase), self.params.phrase_count_cap)

    def dense_text(self, q: Query) -> str:
        """The question as the embedding model should read it: diacritics restored if missing."""
        return q.dense_text if q.accented else self.restorer().restore(q.dense_text)

    # -- corpus statistics ---------------------------------------------------
    def df(self, term: str) -> int:
        if term not in self._df_cache:
            self._df_cache[term] = self.snapshot.folded_df(term)
        return self._df_cache[term]

    def phrase_df(self, phrase: str) -> int:
        """How many passages hold the (folded) phrase."""
        key = f"\x00{phrase}"  # apart from single words
        if key not in self._df_cache:
            expr = "{body_f} : " + fts_phrase(phrase)
            self._df_cache[key] = self.snapshot.count_matches(expr, self.n_passages + 1)
        return self._df_cache[key]

    def idf(self, term: str, df: int | None = None) -> float:
        n, df = max(self.n_passages, 1), self.df(term) if df is None else df
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def idf_weights(self, q: Query, with_term_years: bool = False) -> dict[str, float]:
        """The question's words with their IDF, in the question's order, less the years of the congress term
        it names.  An abbreviation ("ĐV", or the "đbcs" that "đảng bộ cơ sở" typed in full stands for) weighs
        as much as its most common full form: documents write the full form, so the abbreviation's own rarity
        says nothing of the question."""
        out = {}
        # "nhiệm kỳ 2025-2030" says which congress term, not what is asked: its years are no topic words of an
        # answer (the term filter has chosen the news of that term already, and official documents rarely write
        # it).  The search still weighs them (``with_term_years``): they tell news of one term from another's.
        term_years = set() if with_term_years else {str(y) for years in q.congress_terms for y in years}
        for t in q.terms:
            if t in term_years:
                continue
            df = max([self.df(t)] + [self.phrase_df(full) for full in q.other_forms.get(t, ())])
            out[t] = self.idf(t, df)
        return out

    def corpus_has(self, phrase: str, accented: bool = False) -> bool:
        """Does any passage contain this phrase (folded, or as written)?  Asked once per phrase and index
        version (the refusal checks ask it of every place a question names)."""
        key = (phrase, accented)
        if key not in self._has_cache:
            cols = "{title body}" if accented else "{title_f body_f}"
            self._has_cache[key] = self.snapshot.any_match(
                f"{cols} : {fts_phrase(phrase if accented else fold(phrase))}"
            )
        return self._has_cache[key]

    def docs_mentioning(self, phrase: str) -> set[str]:
        """Documents whose text or title contains the (folded) phrase."""
        return self.snapshot.docs_matching("{title_f body_f} : " + fts_phrase(fold(phrase)))

    def corpus_refs(self) -> set[tuple[str, int]]:
        """Every document number the corpus mentions or is."""
        if self._corpus_refs is None:
            refs = set()
            for row in self.snapshot.document_numbers():
                text = " ; ".join([row["title"] or "", row["doc_number"] or "", row["cited"] or ""])
                refs.update(r.key for r in find_refs(text))
            self._corpus_refs = refs
        return self._corpus_refs

    def statuses(self) -> dict[str, tuple[str, DocStatus]]:
        """doc_id → (its label, whether it is in force and what replaced or amended it)."""
        if self._statuses is None:
            infos = []
            for row in self.snapshot.document_relations():
                ref = (
                    docref_from_meta(row["doc_type"], row["doc_number"], row["published"]) if row["official"] else None
                )
                admin = row["admin_status"]
                infos.append(
                    DocInfo(
                        row["doc_id"],
                        ref,
                        row["doc_type"],
                        relations_from_json(json.loads(row["relations"] or "[]")),
                        Status(admin) if admin in {s.value for s in Status} else None,
                        row["effective"],
                        row["title"],
                    )
                )
            resolved = resolve_status(infos)
            for i in infos:
                # An official document without a number (the Điều lệ, a guideline whose number was left
                # blank) cannot be named by a later one: nothing in the knowledge base replaces it.
                if i.doc_type != "news" and i.doc_id in resolved and resolved[i.doc_id].status is Status.UNKNOWN:
                    resolved[i.doc_id].status = Status.IN_FORCE
            self._infos = {i.doc_id: i for i in infos}
            self._statuses = {i.doc_id: (i.label(), resolved[i.doc_id]) for i in infos if i.doc_id in resolved}
        return self._statuses

    def _apply_status(self, h: Hit) -> None:
        found = self.statuses().get(h.doc_id)
        if found is None:
            return
        label, status = found
        h.status = status.status.value
        if status.replaced_by:
            by = status.replaced_by
            h.replaced_by = by.label + (f" ({format_date(by.date)})" if by.date else "")
        h.notice = status_notice(label, status)

    def newest_term(self) -> str | None:
        """The latest congress term any source speaks of ("2025-2030")."""
        if self._newest_term is None:
            self._newest_term = self.snapshot.newest_term() or ""
        return self._newest_term or None

    def own_refs(self) -> dict[tuple[str, int], set[str]]:
        """Document number → the documents that *are* it: an official document by its own number,
        else (no official one in the corpus) an item whose title starts with it ("Kết luận 118 …")."""
        if self._own_refs is None:
            official: dict[tuple[str, int], set[str]] = {}
            titled: dict[tuple[str, int], set[str]] = {}
            for row in self.snapshot.document_numbers():
                if row["official"] and row["doc_number"]:
                    kind = (DocType.parse(row["doc_type"]) or DocType.NEWS).word
                    for r in find_refs(row["doc_number"]):
                        official.setdefault((kind or r.kind, int(r.number)), set()).add(row["doc_id"])
                        official.setdefault(r.key, set()).add(row["doc_id"])
                else:
                    refs = find_refs(row["title"] or "")
                    if refs and fold(row["title"]).startswith(refs[0].kind):
                        titled.setdefault(refs[0].key, set()).add(row["doc_id"])
            self._own_refs = {**titled, **official}
        return self._own_refs

    def docs_named(self, q: Query) -> set[str]:
        """The documents a question names by number ("QĐ 294", "Hướng dẫn 06-HD/TW").

        Two documents can share a number (Chỉ thị 35-CT/TW of 2019 and of 2024): a year or a
        congress term in the question picks one; without, the one in force is meant.
        """
        own = self.own_refs()
        named: set[str] = set()
        for r in q.refs:
            ids = own.get(r.key, set())
            if len(ids) > 1:
                pick = self.pick_same_number(q, r, ids)
                ids = {pick} if pick else ids
            named |= ids
        if q.names_charter:
            # "theo Điều lệ", "Điều 4 Điều lệ Đảng", "theo ĐL": the Party's charter, which has no number.
            named |= {d for d, (_, _) in self.statuses().items() if self._infos[d].doc_type == "charter"}
        return named | self.docs_titled(q)

    def docs_titled(self, q: Query) -> set[str]:
        """The official document a question names by its kind and the words of its title, without its number
        (see title_name_words); none when two documents fit as well."""
        self.statuses()
        best: tuple[int, set[str]] = (0, set())
        for info in self._infos.values():
            n = len(title_name_words(q.folded, info.doc_type, info.title, info.label() if info.ref else None))
            if n and n > best[0]:
                best = (n, {info.doc_id})
            elif n and n == best[0]:
                best[1].add(info.doc_id)
        return best[1] if len(best[1]) == 1 else set()

    def pick_same_number(self, q: Query, ref: DocRef, ids: set[str]) -> str | None:
        statuses = self.statuses()
        infos = [self._infos[i] for i in sorted(ids) if i in self._infos]
        hints = [*find_years(q.text), *find_terms(q.text)]
        return pick_by_question([ref], hints, infos, {i: st for i, (_, st) in statuses.items()})

    def same_number_note(self, q: Query, chosen: str) -> str | None:
        """ "Lưu ý: Chỉ thị 35-CT/TW (30/05/2019) là văn bản khác cùng số …" when the question's number
        is shared by several documents of the knowledge base."""
        own = self.own_refs()
        self.statuses()
        for r in q.refs:
            ids = own.get(r.key, set())
            if chosen in ids and len(ids) > 1:
                others = [self._infos[i] for i in ids if i != chosen and i in self._infos]
                return same_number_notice(self._infos[chosen], others)
        return None

    # -- search ---------------------------------------------------------------
    def embed(self, q: Query) -> np.ndarray:
        return self.embedder.embed_question(self.dense_text(q))

    def search(
        self, q: Query, k: int = 8, vector: np.ndarray | None = None, lexical: list[int] | None = None
    ) -> list[Hit]:
        """The ``k`` best passages for a question, by words and by meaning fused, then boosted by what the
        question names.  ``vector`` (the question's embedding) and ``lexical`` (``lexical_ranking(q)``) are
        computed here when not given."""
        if lexical is None:
            lexical = self.lexical_ranking(q)
        if vector is None:
            vector = self.embed(q)
        p = self.params
        dense = self.snapshot.search_vectors(vector, p.candidates)
        scores = self._fuse(lexical, [pid for pid, _ in dense])
        named = self.docs_named(q)
        if len(named) > 1:
            # "Điều lệ và QĐ 294 …": each document named is heard, though one of them (whose title holds the
            # other's name, "thi hành Điều lệ Đảng") would fill both lists.  Searched without the words that
            # name the documents ("Điều lệ", "QĐ 294").
            naming = _label_words(q) | {"dieu", "le"}
            bare = fts_match(
                dataclasses.replace(q, refs=[], terms=[t for t in q.terms if t not in naming]), *self._budget()
            )
            for doc in sorted(named):
                for pid, score in self._search_in(bare, vector, doc).items():
                    scores[pid] = max(scores.get(pid, 0.0), score)
        if not scores:
            return []
        hits = self.load_hits(list(scores))
        cosines = dict(dense)
        weights = topic_weights(self.idf_weights(q, with_term_years=True))
        total = sum(weights.values()) or 1.0
        query_refs = {r.key for r in q.refs}
        place_terms = [p.folded for p in q.places]
        asked_years = set(find_years(q.text)) if q.refs else set()
        # Inside the document the question names, its number and the asking words are given.
        given = _label_words(q) | ASKING_WORDS
        for h in hits:
            h.cosine = cosines.get(h.passage_id) or self.cosine(h.passage_id, vector)
            h.score = scores[h.passage_id]
            tokens = h.folded_tokens | given if h.doc_id in named else h.folded_tokens
            # "HS của ĐV … QL": an abbreviation is held where the passage writes its full form.
            h.coverage = q.held_weight(weights, tokens, h.folded_text) / total
            if h.doc_id in named:
                h.score += p.boost(p.named_doc_boost_ranks)
            elif query_refs and query_refs & self._refs_in(h):
                h.score += p.boost(p.ref_boost_ranks) * self._year_agreement(h.doc_id, query_refs, asked_years)
            if weights:
                h.score += (
                    p.boost(p.title_boost_ranks) * sum(w for t, w in weights.items() if t in h.title_tokens) / total
                )
            if place_terms and Wants.COMPARE not in q.wants and _of_place(h, place_terms):
                h.score += p.boost(p.place_boost_ranks)
        hits.sort(key=lambda h: -h.score)
        if len(named) > 1 and hits:
            # Each document named is heard: its best passage comes right after the best of all.
            firsts = [next((h for h in hits if h.doc_id == d), None) for d in sorted(named - {hits[0].doc_id})]
            firsts = sorted((h for h in firsts if h is not None), key=lambda h: -h.score)
            hits = [hits[0], *firsts, *(h for h in hits[1:] if h not in firsts)]
        return hits[:k]

    def _refs_in(self, h: Hit) -> frozenset[tuple[str, int]]:
        """The document numbers a passage cites (their keys), or its document's title does ("Toàn văn Kế hoạch
        163-KH/BTGDVTW …": every passage of it is about that plan), found once per passage and index version."""
        refs = self._passage_refs.get(h.passage_id)
        if refs is None:
            if len(self._passage_refs) >= self.params.token_cache_passages:
                self._passage_refs.clear()
            found = find_refs(h.text) + find_refs(h.title)
            refs = self._passage_refs[h.passage_id] = frozenset(r.key for r in found)
        return refs

    def _year_agreement(self, doc_id: str, keys: set[tuple[str, int]], years: set[int]) -> float:
        """How a passage citing the question's document number should count, when the question gives a
        year ("Chỉ thị 35 năm 2019"): fully when its document cites that number with that year, against it
        when only with other years (Chỉ thị 35 of 2024 is another document), as usual when it gives none."""
        if not years:
            return 1.0
        cited = self._cited_years(doc_id)
        found = set().union(*(cited.get(k, set()) for k in keys))
        if not found:
            return 1.0
        return self.params.same_year_ref_factor if found & years else -1.0

    def _cited_years(self, doc_id: str) -> dict[tuple[str, int], set[int]]:
        """Document number → the years a document cites it with ("Chỉ thị 35-CT/TW ngày 30/5/2019")."""
        if doc_id not in self._years_cache:
            cited: dict[tuple[str, int], set[int]] = {}
            for m in find_dated_refs(self.snapshot.document_texts([doc_id]).get(doc_id, "")):
                year = ref_year(m.ref)
                if year:
                    cited.setdefault(m.ref.key, set()).add(year)
            self._years_cache[doc_id] = cited
        return self._years_cache[doc_id]

    def _budget(self) -> tuple[Callable[[str], int], int, int]:
        """fts_match's document frequencies, postings budget and fewest terms for this index."""
        p = self.params
        return (
            self.df,
            max(p.lexical_postings_budget, self.n_passages // p.lexical_postings_corpus_divisor),
            p.lexical_min_terms,
        )

    def lexical_ranking(self, q: Query) -> list[int]:
        """The passages best by BM25 on the question's words (``candidates`` of them), best first."""
        expr = fts_match(q, *self._budget(), common=self.in_half_the_passages)
        if not expr:
            return []
        return self.snapshot.lexical_search(expr, self.params.bm25_weights, self.params.candidates)

    def in_half_the_passages(self, phrase: str, as_written: bool) -> bool:
        """Is a phrase of the lexical query (folded, or ``as_written``) in at least half the passages, in the
        columns it is searched in?  Then FTS5's BM25 gives it its floor IDF: it ranks nothing."""
        key = (phrase, as_written)
        if key not in self._common_cache:
            if len(self._common_cache) > self.params.phrase_cache_size:
                self._common_cache.clear()
            columns = WRITTEN_COLUMNS if as_written else FOLDED_COLUMNS
            half = self.n_passages / 2
            dfs = [self.snapshot.column_dfs(w) for w in phrase.split()]
            if len(dfs) == 1:
                # In at least as many passages as the column holding it most often.
                common = max((dfs[0].get(c, 0) for c in columns), default=0) >= half
            elif any(sum(df.get(c, 0) for c in columns) < half for df in dfs):
                common = False  # one of its words is rarer than that
            else:
                expr = "{" + " ".join(columns) + "} : " + fts_phrase(phrase)
                common = self.snapshot.count_matches(expr, self.n_passages) >= half
            self._common_cache[key] = common
        return self._common_cache[key]

    def _search_in(self, expr: str | None, vector: np.ndarray, doc: str) -> dict[int, float]:
        """The hybrid search within one document: its passages best by words (``expr``) and by meaning, fused
        the same way (named_doc_candidates of each)."""
        p = self.params
        lexical = self.snapshot.lexical_search(expr, p.bm25_weights, p.named_doc_candidates, doc) if expr else []
        ids = self.snapshot.passage_ids(doc)
        cosines = sorted(((self.cosine(pid, vector), pid) for pid in ids), reverse=True)[: p.named_doc_candidates]
        return self._fuse(lexical, [pid for _, pid in cosines])

    def _fuse(self, *rankings: list[int]) -> dict[int, float]:
        """Reciprocal rank fusion of passage-id lists, best first: passage id → summed 1 / (rrf_k + rank)."""
        scores: dict[int, float] = {}
        for ranked in rankings:
            for rank, pid in enumerate(ranked):
                scores[pid] = scores.get(pid, 0.0) + 1.0 / (self.params.rrf_k + rank + 1)
        return scores

    def passage_cosine(self, text: str, vector: np.ndarray) -> float:
        """How close a text, embedded as a passage, is to a question's ``vector``."""
        return float(np.dot(self.embedder.embed_passages([text])[0], vector))

    def cosine(self, pid: int, vector: np.ndarray) -> float:
        """How close an indexed passage is to a question's ``vector`` (0 when it has no vector)."""
        try:
            return float(np.dot(self.snapshot.vectors.reconstruct(pid), vector))
        except RuntimeError:  # not in the vector index
            return 0.0

    def passage_hit(self, doc_id: str, text: str, last: bool = False) -> Hit | None:
        """The first (or last) passage of a document that contains ``text`` as written, as a hit."""
        passage_id = self.snapshot.passage_with(doc_id, text, last)
        hits = self.load_hits([passage_id]) if passage_id is not None else []
        return hits[0] if hits else None

    def _charter_docs(self) -> tuple[list[str], list[str]]:
        """The charter, and the documents implementing it ("… thi hành Điều lệ Đảng"), of this index version."""
        if self._charter is None:
            self.statuses()
            infos = self._infos.items()
            self._charter = (
                [d for d, info in infos if info.doc_type == "charter"],
                [d for d, info in infos if info.doc_type != "charter" and "thi hanh dieu le" in fold(info.title)],
            )
        return self._charter

    def linked_clauses(self, hit: Hit, unit: tuple) -> list[tuple[Hit, tuple]]:
        """The rule and its detail: for a clause of the charter, the sections of the regulations implementing
        it whose heading names it ("23. Điều 24 (Khoản 3, Khoản 4): …" for "Điều 24, khoản 3"); for such a
        section, the charter's clauses its heading (or its parent's) names. [] when there are none."""
        charter, implementing = self._charter_docs()
        if not charter:
            return []
        label = unit[0] or ""
        if hit.doc_id in charter:
            article = label.split(",")[0]
            out = []
            # "Điều 24 (Khoản 3, …" and "(Khoản 3, Điều 10)": the heading test below keeps the right ones.
            for h in self.load_hits(self.snapshot.passages_mentioning(implementing, article)):
                for u in h.units:
                    cites = cited_charter_clauses(h.text[u[1] : u[2]])
                    if label in cites or (label == article and any(c.split(",")[0] == article for c in cites)):
                        out.append((h, tuple(u)))
            return out
        if hit.doc_id not in implementing:
            return []
        headings = [hit.text[unit[1] : unit[2]], *reversed((hit.path or "").split(" › "))]
        cites = next((c for c in map(cited_charter_clauses, headings) if c), [])
        out = []
        for article in dict.fromkeys(c.split(",")[0] for c in cites):
            for h in self.load_hits(self.snapshot.passages_mentioning(charter, article)):
                out += [(h, tuple(u)) for u in h.units if u[0] in cites]
        return out

    def section_hits(self, hit: Hit, label: str) -> list[Hit]:
        """The passages of a hit's document that open in the section ``label`` or in one of its parts."""
        return self.load_hits(self.snapshot.passages_in_section(hit.doc_id, label))

    def next_hit(self, hit: Hit) -> Hit | None:
        """The passage that follows a hit's in its document, as a hit (a clause cut across two passages)."""
        passage_id = self.snapshot.passage_after(hit.doc_id, hit.position)
        hits = self.load_hits([passage_id]) if passage_id is not None else []
        return hits[0] if hits else None

    def _authority(self, doc_id: str, *row) -> tuple[int, bool]:
        """A document's authority and whether a local committee issued it, once per document."""
        if doc_id not in self._authorities:
            self._authorities[doc_id] = (authority(*row), issued_locally(*row[1:]))
        return self._authorities[doc_id]

    def _hit_rows(self, ids: list[int]) -> list[tuple]:
        """The hit_rows of these passages, in passage order (as SQLite gives them), read from SQLite only for
        those not kept.  Built in a local dict: another question's thread may start the cache over meanwhile."""
        rows = {i: self._rows.get(i) for i in dict.fromkeys(ids)}
        missing = [i for i, row in rows.items() if row is None]
        if missing:
            if len(self._rows) + len(missing) > self.params.row_cache_passages:
                self._rows.clear()
            for r in self.snapshot.hit_rows(missing):
                rows[r[0]] = self._rows[r[0]] = tuple(r)
        return [row for _, row in sorted(rows.items()) if row is not None]

    def load_hits(self, ids: list[int]) -> list[Hit]:
        hits = []
        for r in self._hit_rows(ids):
            h = Hit(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[13], r[14], r[15], r[16] or "")
            # The folded words and the sections of a passage are kept for the life of this index version (they
            # never change): the folded forms are stored in the FTS table, no need to fold again per question.
            kept = self._tokens.get(h.passage_id)
            if kept is None:
                if len(self._tokens) >= self.params.token_cache_passages:
                    self._tokens.clear()
                words = frozenset(_WORDS.findall(f"{r[11]} {r[12]} {r[10] or ''}"))
                units = [tuple(u) for u in json.loads(r[17] or "[]")]
                kept = self._tokens[h.passage_id] = (words, units, frozenset(_WORDS.findall(r[11])))
            h.folded_tokens, h.units, h.title_tokens = kept[0], list(kept[1]), kept[2]
            h.doc_number = r[19]
            h.issuer = r[20]
            h.authority, h.local = self._authority(h.doc_id, r[9], bool(r[18]), r[19], r[20])
            h.term = r[21]
            if h.term and h.term != self.newest_term():
                h.term_note = "nhiệm kỳ " + h.term.replace("-", "–")
            self._apply_status(h)
            h.folded_text = f"{r[11]} {r[12]}"
            hits.append(h)
        return hits


class HybridRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever, so it plugs into chains."""

    searcher: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        q = analyze(query, self.searcher.glossary)
        return [h.to_document() for h in self.searcher.search(q, k=self.k)]
