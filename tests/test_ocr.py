"""OCR of scanned PDFs (bot/ocr.py) with the real Tesseract, on the generated scan fixture.

Tests that read text need the Debian packages tesseract-ocr and tesseract-ocr-vie and skip
without them; the "not installed" path is tested for real by hiding the command from PATH (or
the language data from Tesseract) in a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfWriter

from bot.errors import LoadError, SkipReason
from bot.ocr import ocr_available, ocr_pdf
from bot.textnorm import folded_words, words

ROOT = Path(__file__).resolve().parent.parent
NO_OCR = "Tesseract with Vietnamese is not installed (apt-get install tesseract-ocr tesseract-ocr-vie)"
MIN_KEYWORDS_FOLDED = 0.8  # share of the scan's words OCR must return, ignoring diacritics
MIN_KEYWORDS_EXACT = 0.7  # …and with the right diacritics (what lexical search on Vietnamese needs)

needs_ocr = pytest.mark.skipif(not ocr_available(), reason=NO_OCR)


def _recall(text: str, keywords: list[str]) -> tuple[float, float]:
    folded, exact = set(folded_words(text)), set(words(text))
    return (
        sum(w in folded for w in folded_words(" ".join(keywords))) / len(keywords),
        sum(w in exact for w in words(" ".join(keywords))) / len(keywords),
    )


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@needs_ocr
def test_ocr_reads_the_scanned_fixture(scanned_pdf):
    path, truth = scanned_pdf
    started = time.monotonic()
    texts = ocr_pdf(path.read_bytes())
    elapsed = time.monotonic() - started
    assert len(texts) == 1
    folded, exact = _recall(texts[0], truth["keywords"])
    assert folded >= MIN_KEYWORDS_FOLDED, (folded, texts[0])
    assert exact >= MIN_KEYWORDS_EXACT, (exact, texts[0])
    # The clauses come back in order, one numbered line each.
    starts = [line.split(".")[0] for line in texts[0].splitlines() if line[:2] in ("1.", "2.", "3.", "4.")]
    assert starts == ["1", "2", "3", "4"], texts[0]
    assert elapsed < 60, f"OCR of one page took {elapsed:.1f} s"


@needs_ocr
@pytest.mark.parametrize(("dpi", "sideways"), [(150, False), (300, True)], ids=["150dpi", "sideways"])
def test_ocr_reads_coarse_and_sideways_scans(tmp_path, dpi, sideways):
    from fixtures import make_docs

    if not make_docs.font_available():
        pytest.skip(make_docs.FONT_MISSING)
    path = tmp_path / "scan.pdf"
    truth = make_docs.make_scanned_pdf(path, dpi=dpi, sideways=sideways)
    (text,) = ocr_pdf(path.read_bytes())
    folded, exact = _recall(text, truth["keywords"])
    assert folded >= MIN_KEYWORDS_FOLDED and exact >= MIN_KEYWORDS_EXACT, (folded, exact, text)


@needs_ocr
def test_ocr_pdf_without_page_images_is_no_text(regulation_pdf):
    path, _ = regulation_pdf  # vector text only: nothing for OCR to read
    with pytest.raises(LoadError) as caught:
        ocr_pdf(path.read_bytes())
    assert caught.value.reason is SkipReason.NO_TEXT


@needs_ocr
def test_ocr_pdf_limits_and_damage(scanned_pdf):
    path, _ = scanned_pdf
    with pytest.raises(LoadError) as caught:
        ocr_pdf(path.read_bytes(), max_pages=0)
    assert caught.value.reason is SkipReason.TOO_LARGE and "at most 0" in caught.value.detail
    with pytest.raises(LoadError) as caught:
        ocr_pdf(path.read_bytes(), time_budget_s=0)
    assert caught.value.reason is SkipReason.TIMEOUT
    with pytest.raises(LoadError) as caught:
        ocr_pdf(path.read_bytes(), page_timeout_s=0.01)  # the tesseract process is stopped
    assert caught.value.reason is SkipReason.TIMEOUT and "one page" in caught.value.detail
    with pytest.raises(LoadError) as caught:
        ocr_pdf(b"%PDF-1.4 this is not really a PDF")
    assert caught.value.reason is SkipReason.CORRUPT


def _ocr_in_subprocess(env: dict[str, str], pdf: bytes, tmp_path: Path) -> dict:
    """Run ocr_available() and ocr_pdf() in a fresh interpreter with ``env``; report what happened."""
    (tmp_path / "in.pdf").write_bytes(pdf)
    script = (
        "import json, sys\n"
        "from bot.errors import LoadError\n"
        "from bot.ocr import ocr_available, ocr_pdf\n"
        "out = {'available': ocr_available()}\n"
        "try:\n"
        "    out['texts'] = ocr_pdf(open(sys.argv[1], 'rb').read())\n"
        "except LoadError as exc:\n"
        "    out.update(reason=exc.reason.value, detail=exc.detail, message=str(exc))\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "in.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_ocr_unavailable_without_the_tesseract_command(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "PATH"}
    env["PATH"] = str(empty)  # no tesseract anywhere on it
    out = _ocr_in_subprocess(env, _blank_pdf(), tmp_path)
    assert out["available"] is False
    assert out["reason"] == SkipReason.OCR_UNAVAILABLE.value
    assert "not found on PATH" in out["detail"]
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in out["detail"]


@pytest.mark.skipif(not ocr_available(), reason=NO_OCR)
def test_ocr_unavailable_without_the_vietnamese_model(tmp_path):
    tessdata = tmp_path / "tessdata"  # a data folder without vie.traineddata
    tessdata.mkdir()
    env = {**os.environ, "TESSDATA_PREFIX": str(tessdata)}
    out = _ocr_in_subprocess(env, _blank_pdf(), tmp_path)
    assert out["available"] is False
    assert out["reason"] == SkipReason.OCR_UNAVAILABLE.value
    assert "'vie' is not installed" in out["detail"]
    assert "tesseract-ocr-vie" in out["detail"]
