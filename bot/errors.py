"""The project's own errors and skip reasons, as types rather than English substrings.

A file that cannot be indexed is never fatal: the indexer records a :class:`Skipped`
(the file, a :class:`SkipReason` and a detail for the admin) and goes on.  Front ends
turn the reason into words through :data:`SKIP_REASON_VI` (users) or
:attr:`SkipReason.describe` (the admin CLI), never by matching message text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CongressBotError(Exception):
    """Base class of every error this project raises on purpose."""


class SkipReason(StrEnum):
    """Why a file was not indexed."""

    UNSUPPORTED_TYPE = "unsupported_type"
    EMPTY = "empty"
    UNREADABLE = "unreadable"  # the operating system could not read it
    NOT_TEXT = "not_text"  # binary data or an unknown text encoding
    CORRUPT = "corrupt"  # a damaged PDF/DOCX/HTML
    ENCRYPTED = "encrypted"
    NO_TEXT = "no_text"  # nothing readable (a scan without OCR)
    OCR_UNAVAILABLE = "ocr_unavailable"  # a scan, and Tesseract is not installed
    TOO_LARGE = "too_large"  # over a size limit (file, archive member, extracted text)
    TOO_LITTLE_TEXT = "too_little_text"
    BAD_METADATA = "bad_metadata"  # the sidecar or front matter is invalid
    BAD_NAME = "bad_name"  # a file name that cannot be stored
    LINK_OUTSIDE = "link_outside"  # a symbolic link that leaves the knowledge folder
    BROKEN_LINK = "broken_link"  # a dangling, looping or directory link
    TIMEOUT = "timeout"  # over the per-file time budget
    DUPLICATE = "duplicate"  # the same content is already in the knowledge base
    INTERNAL = "internal"  # an unexpected error while reading this one file

    @property
    def describe(self) -> str:
        return SKIP_REASON_EN[self]

    @property
    def vi(self) -> str:
        return SKIP_REASON_VI[self]


SKIP_REASON_EN: dict[SkipReason, str] = {
    SkipReason.UNSUPPORTED_TYPE: "unsupported file type",
    SkipReason.EMPTY: "file is empty",
    SkipReason.UNREADABLE: "cannot read file",
    SkipReason.NOT_TEXT: "not a text file (binary data or unknown encoding)",
    SkipReason.CORRUPT: "corrupt or unreadable document",
    SkipReason.ENCRYPTED: "document is password-protected",
    SkipReason.NO_TEXT: "no readable text found",
    SkipReason.OCR_UNAVAILABLE: "scanned PDF and OCR is not installed (apt-get install tesseract-ocr tesseract-ocr-vie)",
    SkipReason.TOO_LARGE: "too large",
    SkipReason.TOO_LITTLE_TEXT: "too little text after cleaning",
    SkipReason.BAD_METADATA: "invalid metadata sidecar or front matter",
    SkipReason.BAD_NAME: "file name cannot be stored",
    SkipReason.LINK_OUTSIDE: "symbolic link pointing outside the knowledge folder",
    SkipReason.BROKEN_LINK: "broken, looping or directory symbolic link",
    SkipReason.TIMEOUT: "took longer than the per-file time budget",
    SkipReason.DUPLICATE: "the same content is already in the knowledge base",
    SkipReason.INTERNAL: "unexpected error while reading this file",
}

SKIP_REASON_VI: dict[SkipReason, str] = {
    SkipReason.UNSUPPORTED_TYPE: "định dạng tệp không được hỗ trợ (dùng PDF, DOCX, TXT, MD, HTML)",
    SkipReason.EMPTY: "tệp rỗng",
    SkipReason.UNREADABLE: "không đọc được tệp",
    SkipReason.NOT_TEXT: "không phải tệp văn bản (dữ liệu nhị phân hoặc bảng mã không rõ)",
    SkipReason.CORRUPT: "tệp bị hỏng hoặc không đọc được",
    SkipReason.ENCRYPTED: "tệp được đặt mật khẩu",
    SkipReason.NO_TEXT: "không tìm thấy chữ đọc được trong tệp",
    SkipReason.OCR_UNAVAILABLE: "tệp là bản quét nhưng máy chưa cài nhận dạng chữ (OCR)",
    SkipReason.TOO_LARGE: "tệp quá lớn",
    SkipReason.TOO_LITTLE_TEXT: "tệp có quá ít nội dung",
    SkipReason.BAD_METADATA: "tệp thông tin kèm theo (.meta.json) không hợp lệ",
    SkipReason.BAD_NAME: "tên tệp không hợp lệ",
    SkipReason.LINK_OUTSIDE: "liên kết trỏ ra ngoài thư mục tài liệu",
    SkipReason.BROKEN_LINK: "liên kết hỏng",
    SkipReason.TIMEOUT: "xử lý tệp quá lâu",
    SkipReason.DUPLICATE: "tài liệu này đã có trong kho",
    SkipReason.INTERNAL: "lỗi không mong đợi khi đọc tệp",
}


@dataclass(frozen=True)
class Skipped:
    """One file that was not indexed, and why."""

    file: str
    reason: SkipReason
    detail: str = ""

    def describe(self) -> str:
        """One line for the admin (English)."""
        return self.reason.describe + (f": {self.detail}" if self.detail else "")

    def describe_vi(self) -> str:
        return self.reason.vi


class LoadError(CongressBotError):
    """A document that cannot be read; carries a typed reason and a detail."""

    def __init__(self, reason: SkipReason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(reason.describe + (f": {detail}" if detail else ""))


class UnsupportedFile(LoadError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(SkipReason.UNSUPPORTED_TYPE, detail)


class DuplicateFile(LoadError):
    def __init__(self, existing: str) -> None:
        self.existing = existing
        super().__init__(SkipReason.DUPLICATE, f"as {existing}")
