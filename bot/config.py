"""Settings, from flags or the environment; passed in, never read deep inside."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .embeddings import DEFAULT_EMBEDDER


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = Path("knowledge")
    index_dir: Path = Path("index")
    embedder: str = DEFAULT_EMBEDDER

    @classmethod
    def from_env(cls, knowledge_dir: str | Path | None = None, index_dir: str | Path | None = None) -> Settings:
        env = os.environ
        return cls(
            knowledge_dir=Path(knowledge_dir or env.get("CONGRESS_BOT_KNOWLEDGE_DIR") or "knowledge"),
            index_dir=Path(index_dir or env.get("CONGRESS_BOT_INDEX_DIR") or "index"),
            embedder=env.get("CONGRESS_BOT_EMBEDDER") or DEFAULT_EMBEDDER,
        )
