"""Derivative images of a page: a full-size JPEG and a thumbnail, made by the worker.

The full-size JPEG (quality 85, RGB, EXIF orientation applied) is what the IIIF
image service cuts tiles from and what OCR reads, so the word boxes are in its
pixels (``Page.width`` × ``Page.height``). A PDF page is rendered by poppler's
``pdftoppm`` at 150 dpi. Masters are only read, never written. Every run leaves
a ``derivative`` preservation event, success or failure, and a failure keeps its
reason on the page for the status table and the re-run command.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from PIL import Image, ImageOps, UnidentifiedImageError

from methodica.core.tasks import retry_later
from methodica.heritage.models import MasterFile, Page, PreservationEvent

logger = logging.getLogger(__name__)

JPEG_QUALITY = 85
THUMBNAIL_SIZE = 300  # the long side, in pixels
PDF_DPI = 150
PDFTOPPM_TIMEOUT = 120  # seconds for one page


class DerivativeError(Exception):
    """The master could not be turned into images; the message is translated."""


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB for JPEG; 16-bit greyscale scaled down to 8 bits, not clipped."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # Scale by the image's own range: a 16-bit scan uses 0..65535, clipping at
        # 255 (Pillow's plain convert) would turn it white.
        low, high = cast(tuple[float, float], image.getextrema())
        scale = 255 / (high - low) if high > low else 0
        image = image.point(lambda value: (value - low) * scale).convert("L")
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


# The most pixels a rendered PDF page may have: a poster-sized page is rendered at a
# lower resolution rather than as gigabytes of pixels.
MAX_RENDER_PIXELS = 60_000_000


def _dpi_for(pdf_path: Path, number: int) -> int:
    """``PDF_DPI``, lowered for a page so large that it would pass the pixel cap."""
    from pypdf import PdfReader

    try:
        page = PdfReader(pdf_path).pages[number - 1]
        unit = float(page.get("/UserUnit", 1) or 1)
        width = float(page.mediabox.width) * unit / 72
        height = float(page.mediabox.height) * unit / 72
    except Exception:  # noqa: BLE001 - unreadable sizes: pdftoppm decides and reports
        return PDF_DPI
    cap = min(MAX_RENDER_PIXELS, settings.METHODICA_HERITAGE_MAX_PIXELS)
    pixels = width * height * PDF_DPI * PDF_DPI
    if pixels <= cap or pixels <= 0:
        return PDF_DPI
    return max(10, int(PDF_DPI * (cap / pixels) ** 0.5))


def _render_pdf_page(pdf_path: Path, number: int, folder: Path) -> Path:
    binary = shutil.which("pdftoppm")
    if binary is None:
        raise DerivativeError(_("poppler's pdftoppm is not installed on the server."))
    target = folder / "page"
    dpi = _dpi_for(pdf_path, number)
    command = [binary, "-r", str(dpi), "-f", str(number), "-l", str(number)]
    command += ["-jpeg", "-singlefile", str(pdf_path), str(target)]
    try:
        completed = subprocess.run(
            command, capture_output=True, timeout=PDFTOPPM_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise DerivativeError(
            _("Rendering the PDF page took longer than %(seconds)s seconds.")
            % {"seconds": PDFTOPPM_TIMEOUT}
        ) from error
    output = target.with_suffix(".jpg")
    if completed.returncode != 0 or not output.exists():
        detail = completed.stderr.decode("utf-8", "replace").strip()[-300:]
        raise DerivativeError(
            _("The PDF page could not be rendered: %(detail)s") % {"detail": detail}
        )
    return output


def _open_image(source: Path) -> Image.Image:
    try:
        image = Image.open(source)
        image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise DerivativeError(
            _("The master image could not be read: %(detail)s") % {"detail": error}
        ) from error
    return ImageOps.exif_transpose(image)


def render(master: MasterFile, page_number: int, source: Path) -> Image.Image:
    """The page as an RGB image, from the master copied to ``source``."""
    if master.mime_type == MasterFile.Mime.PDF:
        with tempfile.TemporaryDirectory(prefix="methodica-pdf-") as folder:
            image = _open_image(_render_pdf_page(source, page_number, Path(folder)))
    else:
        image = _open_image(source)
    return _to_rgb(image)


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def _copy_master(master: MasterFile, folder: Path) -> Path:
    # Read through the storage API (an S3 store works the same); a copy on local
    # disk is what Pillow and pdftoppm read.
    source = folder / f"master{Path(master.file.name).suffix}"
    with (
        master.file.storage.open(master.file.name, "rb") as stored,
        source.open("wb") as copy,
    ):
        shutil.copyfileobj(stored, copy)
    return source


def make_derivatives(page_id: int) -> Any:  # a Page.Status
    """Make the page's image and thumbnail; record the outcome. Returns the status.

    A storage that cannot be read raises ``OSError`` (transient: the task retries);
    a master that cannot be decoded is a failure of the page, kept and shown.
    """
    page = Page.objects.select_related("item", "master").get(pk=page_id)
    Page.objects.filter(pk=page.pk).update(derivatives_status=Page.Status.RUNNING)
    with tempfile.TemporaryDirectory(prefix="methodica-deriv-") as folder:
        source = _copy_master(page.master, Path(folder))
        try:
            image = render(page.master, page.page_number, source)
        except DerivativeError as error:
            _fail(page, str(error))
            return Page.Status.FAILED
    _save(page, image)
    return Page.Status.DONE


def _fail(page: Page, message: str) -> None:
    from methodica.heritage.services import record_event

    with transaction.atomic():
        page.derivatives_status = Page.Status.FAILED
        page.derivatives_error = message
        page.save(update_fields=["derivatives_status", "derivatives_error"])
        record_event(
            item=page.item,
            file=page.master,
            type=PreservationEvent.Type.DERIVATIVE,
            outcome=PreservationEvent.Outcome.FAILURE,
            detail={"page": page.pk, "page_number": page.page_number, "error": message},
        )


def _save(page: Page, image: Image.Image) -> None:
    from methodica.heritage.services import record_event

    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    old = [name for name in (page.image.name, page.thumbnail.name) if name]
    # A fresh name each time: a cached tile or a browser never sees a stale image.
    stamp = uuid.uuid4().hex[:12]
    page.image.save(f"p{page.pk}-{stamp}.jpg", ContentFile(_jpeg(image)), save=False)
    page.thumbnail.save(
        f"p{page.pk}-{stamp}-thumb.jpg", ContentFile(_jpeg(thumbnail)), save=False
    )
    page.width, page.height = image.size
    page.derivatives_status = Page.Status.DONE
    page.derivatives_error = ""
    with transaction.atomic():
        page.save(
            update_fields=[
                "image",
                "thumbnail",
                "width",
                "height",
                "derivatives_status",
                "derivatives_error",
                "updated_at",
            ]
        )
        record_event(
            item=page.item,
            file=page.master,
            type=PreservationEvent.Type.DERIVATIVE,
            detail={
                "page": page.pk,
                "page_number": page.page_number,
                "image": page.image.name,
                "thumbnail": page.thumbnail.name,
                "width": page.width,
                "height": page.height,
                "at": timezone.now().isoformat(),
            },
        )
    for name in old:
        page.image.storage.delete(name)


@task()
def make_derivatives_task(page_id: int, ocr: bool = True, attempt: int = 1) -> None:
    """Make the page's images, then (unless ``ocr`` is False) read its text."""
    from methodica.heritage.ocr_pipeline import read_page_task

    if not Page.objects.filter(pk=page_id).exists():
        return  # the master was replaced meanwhile
    try:
        make_derivatives(page_id)
    except OSError as error:  # the storage, not the master: try again later
        Page.objects.filter(pk=page_id).update(derivatives_status=Page.Status.PENDING)
        retry_later(
            make_derivatives_task,
            attempt=attempt,
            error=error,
            page_id=page_id,
            ocr=ocr,
        )
        return
    if ocr:  # also after a failure: the page then shows why it has no text
        read_page_task.enqueue(page_id)
