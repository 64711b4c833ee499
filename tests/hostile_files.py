"""Generators of hostile and careless input files, made at test time (no committed binaries).

Bombs are built without compressing a gigabyte: a deflate stream made of one compressed chunk
repeated, each copy ending in a full flush (byte-aligned, no back-references across copies),
inflates to the chunk repeated.  Used by tests/test_hostile.py and scripts/measure_hostile.py.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

MB = 1024 * 1024


# -- deflate bombs --------------------------------------------------------------------------------


@dataclass
class Deflated:
    raw: bytes  # raw deflate (no zlib header)
    size: int  # inflated size
    crc32: int
    adler32: int

    def zlib(self) -> bytes:
        """The same data as a zlib stream (PDF /FlateDecode)."""
        return b"\x78\x9c" + self.raw + struct.pack(">I", self.adler32)


def _flushed(data: bytes, final: bool = False) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def deflate_repeated(prefix: bytes, chunk: bytes, copies: int, suffix: bytes) -> Deflated:
    """prefix + chunk * copies + suffix, deflated in about len(deflate(chunk)) * copies bytes."""
    middle = _flushed(chunk)
    raw = _flushed(prefix) + middle * copies + _flushed(suffix, final=True)
    crc = zlib.crc32(prefix)
    adler = zlib.adler32(prefix)
    for _ in range(copies):
        crc = zlib.crc32(chunk, crc)
        adler = zlib.adler32(chunk, adler)
    crc = zlib.crc32(suffix, crc)
    adler = zlib.adler32(suffix, adler)
    return Deflated(raw, len(prefix) + len(chunk) * copies + len(suffix), crc, adler)


def deflate(data: bytes) -> Deflated:
    return Deflated(_flushed(data, final=True), len(data), zlib.crc32(data), zlib.adler32(data))


# -- zip / DOCX -----------------------------------------------------------------------------------


def zip_archive(members: dict[str, Deflated], declared: dict[str, int] | None = None) -> bytes:
    """A zip of deflated members; ``declared`` overrides a member's recorded uncompressed size
    (a lying header)."""
    declared = declared or {}
    out = bytearray()
    central = bytearray()
    for name, d in members.items():
        encoded = name.encode()
        size = declared.get(name, d.size)
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, d.crc32, len(d.raw), size, len(encoded), 0)
        out += encoded + d.raw
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x21,
            d.crc32,
            len(d.raw),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0)
    return bytes(out)


def docx_bytes(paragraphs: list[str], title: str = "") -> bytes:
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    for p in paragraphs:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


_DOC_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
_DOC_TAIL = b"</w:body></w:document>"
_PARAGRAPH = "<w:p><w:r><w:t>Đại hội chi bộ nhiệm kỳ 2099 – 2104 của Đảng bộ xã Hư Cấu.</w:t></w:r></w:p>".encode()


def docx_bomb(inflated: int = 1100 * MB, declare: int | None = None) -> bytes:
    """A real DOCX whose word/document.xml inflates to about ``inflated`` bytes of paragraphs
    (1.1 GB by default, about 1 MB on disk).  ``declare`` writes a false, smaller size in the headers."""
    import zipfile

    chunk = _PARAGRAPH * (MB // len(_PARAGRAPH))
    members: dict[str, Deflated] = {}
    with zipfile.ZipFile(io.BytesIO(docx_bytes(["x"]))) as z:
        for info in z.infolist():
            if info.filename == "word/document.xml":
                members[info.filename] = deflate_repeated(_DOC_HEAD, chunk, max(1, inflated // len(chunk)), _DOC_TAIL)
            else:
                members[info.filename] = deflate(z.read(info.filename))
    lie = {"word/document.xml": declare} if declare is not None else None
    return zip_archive(members, lie)


# -- PDF --------------------------------------------------------------------------------------------


def pdf_bytes(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF with these numbered objects, a correct cross-reference table and trailer."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref = len(out)
    n = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % n
    for i in range(1, n):
        out += (b"%010d 00000 n \n" % offsets[i]) if i in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (n, root, xref)
    return bytes(out)


def pdf_stream(data: bytes, extra: bytes = b"", length: bytes | None = None) -> bytes:
    return b"<< /Length %s %s >>\nstream\n" % (length or b"%d" % len(data), extra) + data + b"\nendstream"


def text_pdf(lines: list[str], content: bytes | None = None) -> bytes:
    """A one-page PDF showing ``lines`` (ASCII) in Helvetica; ``content`` replaces the content stream object."""
    ops = b"BT /F1 12 Tf 72 720 Td 14 TL " + b" ".join(b"(%s) '" % line.encode("latin-1") for line in lines) + b" ET"
    return pdf_bytes(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            4: content or pdf_stream(ops),
            5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        }
    )


PDF_LINES = ["Huong dan to chuc dai hoi chi bo xa Hu Cau nhiem ky 2099 - 2104.", "Quy trinh gom 7 buoc."]


def pdf_self_loop() -> bytes:
    """Object 4 (the content stream) gives its /Length as a reference to itself: the bit flip of the
    issue.  pypdf: "Detected loop with self reference for IndirectObject(4, 0)"."""
    ops = b"BT /F1 12 Tf 72 720 Td (Dai hoi) Tj ET"
    return text_pdf(PDF_LINES, content=pdf_stream(ops, length=b"4 0 R"))


def pdf_bomb(inflated: int = 1024 * MB) -> bytes:
    """A one-page PDF whose content stream inflates to ``inflated`` bytes (1 GB: about 1 MB on disk)."""
    show = b"BT /F1 12 Tf 72 720 Td (Dai hoi chi bo) Tj ET\n"
    d = deflate_repeated(show, b" " * MB, max(1, inflated // MB), b"")
    return text_pdf(PDF_LINES, content=pdf_stream(d.zlib(), b"/Filter /FlateDecode"))


# -- text ---------------------------------------------------------------------------------------------


def one_token(size: int = MB, joiner: str = "") -> bytes:
    """One endless token without a space: Vietnamese letters (too little text: one word), or with
    ``joiner="-"`` syllables joined by hyphens (many words, one token: cut into passages)."""
    word = joiner.join(["đại", "hội", "chi", "bộ"]) + joiner
    return (word * (size // len(word) + 1)).encode()[:size].decode("utf-8", "ignore").encode()


def digits_and_slashes(size: int = MB) -> bytes:
    """ "1/2/3/4/…" — no letters at all."""
    out = "/".join(str(i) for i in range(size // 3))
    return out.encode()[:size]


def words_without_punctuation(words: int) -> str:
    """One sentence of ``words`` words and no comma: the quadratic case of the old _split_long."""
    return " ".join(["đại", "hội", "chi", "bộ", "nhiệm", "kỳ"] * (words // 6 + 1))[: words * 5]


SIDECARS: dict[str, str] = {
    "title-int": '{"title": 5}',
    "title-list": '{"title": ["a"]}',
    "title-object": '{"title": {"x": 1}}',
    "source-object": '{"source": {}}',
    "title-nan": '{"title": NaN}',
    "nested-100000": "[" * 100_000 + "]" * 100_000,
    "nested-30000-under-size-limit": '{"title": ' + "[" * 30_000 + "]" * 30_000 + "}",
    "unknown-field": '{"tittle": "Hướng dẫn"}',
    "bad-date": '{"published": "2099-13-45"}',
    "not-an-object": '["title", "x"]',
    "not-json": "{title: x",
    "lone-surrogate": '{"title": "\\ud800"}',
}
