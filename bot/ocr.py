"""OCR of scanned PDFs (pages that are pictures, with no text layer), with Tesseract.

A scanner's PDF holds one image per page, so the page images are taken straight out of the
file with pypdf (``page.images``): no renderer (poppler, pdfium) is needed.  A page image
scanned finer than ``dpi`` is reduced to it (speed; Tesseract is trained on ~300-dpi text), a
page stored sideways is turned by its ``/Rotate``, and the image is read by the ``tesseract``
command with the Vietnamese model (Debian: ``tesseract-ocr tesseract-ocr-vie``).

Tesseract is run as a command, not through pytesseract: the child process gets
``OMP_THREAD_LIMIT=1`` (Tesseract's OpenMP threads spin on a busy 2-core machine: an A4 page
at 300 dpi took 2.6-5.2 s with them, 0.9-1.9 s without), which pytesseract cannot pass without changing this process's
environment – and that would also throttle the embedding engine, which uses OpenMP too.
The image goes in on stdin and the text comes back on stdout, so no temporary files.

Limits: ``max_pages`` (refused above, as too large), a per-page timeout and a whole-document
budget (refused when spent, as a timeout), and images below :data:`MIN_IMAGE_SIDE_PX` (logos,
stamps, signatures) are not read.  Every refusal is a :class:`~bot.errors.LoadError` with a
:class:`~bot.errors.SkipReason`, so a bad file is skipped with its reason and nothing else is lost.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import logging
import os
import shutil
import subprocess
import time
import unicodedata

from bot.errors import LoadError, SkipReason

log = logging.getLogger(__name__)

TESSERACT = "tesseract"  # the command, found on PATH
DEFAULT_LANG = "vie"
INSTALL_HINT = "to enable OCR of scanned PDFs: apt-get install tesseract-ocr tesseract-ocr-vie (Debian/Ubuntu)"

DEFAULT_DPI = 300  # Tesseract's models are trained on text scanned at about 300 dpi
MAX_PAGES = 60  # the longest real guidance seen is 45 pages; past 60 a scan is a book, ~1 min of OCR at best
PAGE_TIMEOUT_S = 120.0  # one A4 page takes ~1-3 s here; two minutes means a stuck or pathological page
TIME_BUDGET_S = 600.0  # a whole document: indexing must not stall for more than ten minutes on one file
LIST_LANGS_TIMEOUT_S = 15.0  # `tesseract --list-langs` answers at once; a hang means a broken install
MIN_IMAGE_SIDE_PX = 300  # smaller images are logos, stamps or signatures (a page at 100 dpi is 827 px wide)
RESCALE_TOLERANCE = 0.15  # reduce a scan only when it is more than 15% finer than the target resolution
MAX_SIDE_PX = 10_000  # after rescaling; A4 at 600 dpi is 7016 px high, Tesseract's limit is 32767


@functools.cache
def _unavailable_reason(lang: str = DEFAULT_LANG) -> str | None:
    """Why OCR cannot run for ``lang`` ("vie", "vie+eng"), or None when it can (cached)."""
    if importlib.util.find_spec("PIL") is None:  # pypdf hands page images over as Pillow images
        return "Pillow is not installed (pip install pillow)"
    binary = shutil.which(TESSERACT)
    if binary is None:
        return "the tesseract command is not installed (not found on PATH)"
    try:
        listed = subprocess.run(
            [binary, "--list-langs"], capture_output=True, timeout=LIST_LANGS_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the tesseract command does not run ({exc.__class__.__name__}: {exc})"
    # The list goes to stdout (older versions: stderr) after a "List of available languages…" line.
    output = (listed.stdout + listed.stderr).decode("utf-8", "replace").splitlines()
    installed = {line.strip() for line in output if line.strip() and not line.startswith("List of")}
    missing = [code for code in lang.split("+") if code not in installed]
    if missing:
        return f"Tesseract language data {'+'.join(missing)!r} is not installed"
    return None


def ocr_available(lang: str = DEFAULT_LANG) -> bool:
    """Can scanned pages be read: the tesseract command and its ``lang`` model installed? (cached)"""
    return _unavailable_reason(lang) is None


def _page_images(page) -> tuple[list, list[str]]:
    """The page's images large enough to be a scan of it (PIL images, in the file's order), and
    why the images that could not be decoded were not."""
    images, failures = [], []
    try:
        count = len(page.images)
    except Exception as exc:  # pypdf raises several types on damaged resources
        return [], [f"{exc.__class__.__name__}: {exc}"]
    for index in range(count):
        try:
            image = page.images[index].image
        except Exception as exc:  # an unsupported filter (JBIG2 without jbig2dec…) or a damaged stream
            failures.append(f"{exc.__class__.__name__}: {exc}")
            continue
        if image is not None and min(image.size) >= MIN_IMAGE_SIDE_PX:
            images.append(image)
    return images, failures


def _prepare(image, page_width_pt: float, dpi: int):
    """Greyscale, and reduced to about ``dpi`` when scanned finer; returns (image, its resolution).

    Coarser scans are read as they are: Tesseract's LSTM scales each text line itself, and
    enlarging a 150-dpi scan 2x here lowered the share of words read right (100% -> 95%:
    it enlarges the dust too).
    """
    from PIL import Image

    if image.mode not in ("L", "1"):
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(background, image)
        image = image.convert("L")
    scan_dpi = image.width / (page_width_pt / 72.0) if page_width_pt > 0 else float(dpi)
    scale = min(1.0, dpi / scan_dpi, MAX_SIDE_PX / max(image.size))
    if scale < 1.0 - RESCALE_TOLERANCE:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.convert("L").resize(size, Image.LANCZOS)
        scan_dpi *= scale
    return image, max(1, round(scan_dpi))


def _tesseract(image, *, lang: str, dpi: int, timeout: float) -> str:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # see the module docstring
    try:
        done = subprocess.run(
            [TESSERACT, "stdin", "stdout", "-l", lang, "--dpi", str(dpi), "--psm", "3"],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LoadError(SkipReason.TIMEOUT, f"OCR of one page took over {timeout:.0f} s") from exc
    except OSError as exc:
        raise LoadError(
            SkipReason.OCR_UNAVAILABLE, f"the tesseract command does not run ({exc}); {INSTALL_HINT}"
        ) from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LoadError(SkipReason.INTERNAL, f"tesseract failed: {message[-1] if message else done.returncode}")
    text = done.stdout.decode("utf-8", "replace").replace("\f", "")
    return unicodedata.normalize("NFC", text).strip()


def ocr_pdf(
    data: bytes,
    *,
    lang: str = DEFAULT_LANG,
    dpi: int = DEFAULT_DPI,
    max_pages: int = MAX_PAGES,
    page_timeout_s: float = PAGE_TIMEOUT_S,
    time_budget_s: float = TIME_BUDGET_S,
) -> list[str]:
    """The text of each page of a scanned PDF, read by OCR ("" for a page without a scan image).

    ``dpi`` is the resolution OCR works at: finer scans are reduced to it.  The text is NFC, with
    Tesseract's line breaks (one per printed line) and blank lines between blocks.

    Raises :class:`LoadError` with ``OCR_UNAVAILABLE`` (Tesseract or its ``lang`` model is not
    installed; the detail says how to install it), ``CORRUPT``/``ENCRYPTED`` (pypdf cannot open
    the file), ``TOO_LARGE`` (more than ``max_pages`` pages), ``TIMEOUT`` (a page or the whole
    document over its time limit) or ``NO_TEXT`` (no page holds an image that could be decoded,
    e.g. a vector-only PDF, which would need a renderer).
    """
    reason = _unavailable_reason(lang)
    if reason is not None:
        raise LoadError(SkipReason.OCR_UNAVAILABLE, f"{reason}; {INSTALL_HINT}")

    from pypdf.errors import PdfReadError

    from .loaders import open_pdf  # the loaders import this module lazily, only for scans

    try:
        pages = list(open_pdf(data).pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(SkipReason.CORRUPT, f"corrupt or unreadable PDF ({exc.__class__.__name__}: {exc})") from exc
    if len(pages) > max_pages:
        raise LoadError(SkipReason.TOO_LARGE, f"scanned PDF of {len(pages)} pages; OCR reads at most {max_pages}")

    deadline = time.monotonic() + time_budget_s
    texts: list[str] = []
    found_image = False
    failures: list[str] = []
    for number, page in enumerate(pages, start=1):
        rotation = page.rotation % 360
        box = page.mediabox
        width = float(box.height if rotation in (90, 270) else box.width)
        parts = []
        images, failed = _page_images(page)
        failures += failed
        for image in images:
            found_image = True
            if rotation:
                image = image.rotate(-rotation, expand=True)  # /Rotate turns the page clockwise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LoadError(SkipReason.TIMEOUT, f"OCR stopped at page {number}: over {time_budget_s:.0f} s")
            started = time.monotonic()
            prepared, resolution = _prepare(image, width, dpi)
            parts.append(_tesseract(prepared, lang=lang, dpi=resolution, timeout=min(page_timeout_s, remaining)))
            log.debug("OCR page %d: %.2f s", number, time.monotonic() - started)
        texts.append("\n\n".join(part for part in parts if part))
    if not found_image:
        if failures:
            raise LoadError(
                SkipReason.NO_TEXT,
                f"the page images cannot be decoded ({failures[0]}); JBIG2 scans need: apt-get install jbig2dec",
            )
        raise LoadError(SkipReason.NO_TEXT, "no text layer and no page image to read with OCR")
    if failures:
        log.warning("OCR: %d image(s) could not be decoded, e.g. %s", len(failures), failures[0])
    return texts
