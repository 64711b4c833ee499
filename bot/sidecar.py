"""The admin's ``FILE.meta.json`` sidecar: read within limits and checked against a schema.

A sidecar may only hold the fields of :class:`bot.metadata.DocMeta` (or their short
aliases), each with the right type: text where text is expected, a real date for
``published``, one of the known document types.  Anything else makes the document
skip with :attr:`SkipReason.BAD_METADATA` and a detail naming the field, instead of
failing later inside SQLite or the metadata code.
"""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import limits
from .errors import LoadError, SkipReason
from .metadata import DOC_TYPES, _normalize_date


class Sidecar(BaseModel):
    """What a sidecar may say; ``null`` or "" means "keep what was extracted"."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    title: str | None = None
    published: str | None = Field(None, validation_alias=AliasChoices("published", "date"))
    source: str | None = Field(None, validation_alias=AliasChoices("source", "outlet"))
    author: str | None = None
    doc_type: Literal[DOC_TYPES] | None = Field(None, validation_alias=AliasChoices("doc_type", "type"))  # type: ignore[valid-type]
    doc_number: str | None = Field(None, validation_alias=AliasChoices("doc_number", "number"))
    cited: list[str] | str | None = None
    # Which guidance is in force (see bot.relations.relations_from_overrides, which reads these).
    replaces: list[str] | str | None = None
    amends: list[str] | str | None = None
    status: Literal["in_force", "replaced", "expired"] | None = None
    effective: str | None = None

    @field_validator("effective")
    @classmethod
    def _effective_is_a_date(cls, value: str | None) -> str | None:
        return cls._a_real_date(value)

    @field_validator("published")
    @classmethod
    def _a_real_date(cls, value: str | None) -> str | None:
        if not value:
            return None
        iso = _normalize_date(value)
        try:
            date.fromisoformat(iso or "")
        except ValueError:
            raise ValueError(f"must be a date such as 2020-06-09 or 09/06/2020, got {value!r}") from None
        return iso


def _depth(text: str) -> int:
    """How deeply the JSON text nests arrays and objects, without parsing it (the parser recurses)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not a value a sidecar may hold")


def read_sidecar_file(side: Path) -> dict:
    """The overrides a sidecar sets (canonical field names, empty ones left out)."""

    def bad(detail: str) -> LoadError:
        return LoadError(SkipReason.BAD_METADATA, f"{side.name}: {detail}")

    try:
        st = side.lstat()
        if stat.S_ISLNK(st.st_mode):
            raise bad("a sidecar must be a regular file, not a link")
        if not stat.S_ISREG(st.st_mode):
            raise bad("not a regular file")
        if st.st_size > limits.MAX_SIDECAR_BYTES:
            raise bad(f"{st.st_size:,} bytes, over the limit of {limits.MAX_SIDECAR_BYTES:,}")
        with side.open("rb") as f:
            raw = f.read(limits.MAX_SIDECAR_BYTES + 1)
    except OSError as exc:
        raise bad(f"cannot read it ({exc.strerror or exc})") from exc
    if len(raw) > limits.MAX_SIDECAR_BYTES:
        raise bad(f"over the limit of {limits.MAX_SIDECAR_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise bad("not UTF-8 text") from exc
    depth = _depth(text)
    if depth > limits.MAX_SIDECAR_DEPTH:
        raise bad(f"JSON nested {depth} levels deep, over the limit of {limits.MAX_SIDECAR_DEPTH}")
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except ValueError as exc:
        raise bad(f"not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise bad('must hold a JSON object such as {"title": "…", "published": "2020-06-09"}')
    try:
        fields = Sidecar.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in errors[:5])
        if any(e["type"] == "extra_forbidden" for e in errors):
            problems += f" (the fields are {', '.join(Sidecar.model_fields)})"
        raise bad(problems) from None
    return {k: v for k, v in fields.model_dump().items() if v not in (None, "", [])}
