"""Kinds of Party document, in one table: type word, number code, label and authority."""

from __future__ import annotations

from enum import StrEnum

from .textnorm import fold


class DocType(StrEnum):
    """Kinds of document, with their Vietnamese type word, number code and authority.

    ``rank`` orders sources when several answer: the Điều lệ above the Quy định that
    implements it, above the Hướng dẫn, above plans and notices, above news.
    """

    CHARTER = "charter"
    REGULATION = "regulation"
    RESOLUTION = "resolution"
    DIRECTIVE = "directive"
    CONCLUSION = "conclusion"
    DECISION = "decision"
    INSTRUCTION = "instruction"
    RULES = "rules"
    PLAN = "plan"
    NOTICE = "notice"
    LETTER = "letter"
    REPORT = "report"
    NEWS = "news"

    @property
    def word(self) -> str:
        """The folded type word ("quy dinh"); empty for news."""
        return _TYPE_INFO[self][0]

    @property
    def label(self) -> str:
        return _TYPE_INFO[self][1]

    @property
    def code(self) -> str:
        return _TYPE_INFO[self][2]

    @property
    def rank(self) -> int:
        return _TYPE_INFO[self][3]

    @classmethod
    def parse(cls, value: object) -> DocType | None:
        """A type from its value ("regulation"), its word ("quy định") or its code ("QĐ")."""
        if isinstance(value, DocType):
            return value
        if not isinstance(value, str):
            return None
        f = fold(value).strip()
        for t in cls:
            if f in (t.value, t.word, fold(t.code)) and f:
                return t
        return None


# type: (folded word, label, number code, authority rank)
_TYPE_INFO: dict[DocType, tuple[str, str, str, int]] = {
    DocType.CHARTER: ("dieu le", "Điều lệ", "", 6),
    DocType.REGULATION: ("quy dinh", "Quy định", "QĐ", 5),
    DocType.RESOLUTION: ("nghi quyet", "Nghị quyết", "NQ", 5),
    DocType.DIRECTIVE: ("chi thi", "Chỉ thị", "CT", 5),
    DocType.CONCLUSION: ("ket luan", "Kết luận", "KL", 5),
    DocType.DECISION: ("quyet dinh", "Quyết định", "QĐ", 4),
    DocType.INSTRUCTION: ("huong dan", "Hướng dẫn", "HD", 4),
    DocType.RULES: ("quy che", "Quy chế", "QC", 4),
    DocType.PLAN: ("ke hoach", "Kế hoạch", "KH", 3),
    DocType.NOTICE: ("thong bao", "Thông báo", "TB", 3),
    DocType.LETTER: ("cong van", "Công văn", "CV", 2),
    DocType.REPORT: ("bao cao", "Báo cáo", "BC", 2),
    DocType.NEWS: ("", "Tin bài", "", 0),
}
