"""Checking an uploaded master before anything is stored.

The type comes from the content's magic bytes, never from the name; the name's
extension must agree with it. Images are verified with Pillow under our own
pixel cap (a decompression bomb is refused, not decoded), every frame of a
multi-page TIFF too; PDFs are opened with pypdf, and encrypted, broken or
over-long ones are refused, as are PDF bombs: a page larger than the cap
(mediabox × /UserUnit), an image over the pixel cap or a content stream that
inflates past ``METHODICA_HERITAGE_MAX_PDF_STREAM_BYTES`` (inflated in bounded
steps, never whole).
"""

from __future__ import annotations

import hashlib
import warnings
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from methodica.core.errors import DomainError

CHUNK = 1024 * 1024

MAGIC = [
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
]
EXTENSIONS = {
    "image/tiff": {".tif", ".tiff"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "application/pdf": {".pdf"},
}


@dataclass(frozen=True)
class Inspection:
    mime_type: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    pages: int = 1


def sniff(head: bytes) -> str | None:
    """The MIME type the first bytes announce, or None for anything else."""
    for magic, mime in MAGIC:
        if head.startswith(magic):
            return mime
    return None


def sha256_of(stream: IO[bytes]) -> tuple[str, int]:
    """The SHA-256 and size of a stream, read in chunks from its start."""
    digest, size = hashlib.sha256(), 0
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


def _check_pixels(name: str, width: int, height: int) -> None:
    limit = settings.METHODICA_HERITAGE_MAX_PIXELS
    if width * height > limit:
        raise DomainError(
            _(
                "“%(name)s” is %(width)s × %(height)s pixels, more than "
                "the %(limit)s pixels allowed."
            )
            % {"name": name, "width": width, "height": height, "limit": limit}
        )


def _check_image(stream: IO[bytes], name: str) -> tuple[int, int]:
    from PIL import Image, ImageSequence

    try:
        with warnings.catch_warnings():
            # Our own cap (below Pillow's hard limit) decides, not its warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                width, height = image.size
                _check_pixels(name, width, height)
                image.verify()
            # verify() leaves the image unusable and misses truncation; decoding
            # once (within the cap above) catches a truncated file. A multi-page
            # TIFF holds more frames, each of its own size: each is capped, then
            # decoded.
            stream.seek(0)
            with Image.open(stream) as image:
                for frame in ImageSequence.Iterator(image):
                    _check_pixels(name, *frame.size)
                    frame.load()
    except DomainError:
        raise
    except Image.DecompressionBombError:
        raise DomainError(
            _("“%(name)s” is too large an image to open safely.") % {"name": name}
        ) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise DomainError(
            _("“%(name)s” is a damaged image and cannot be read (%(error)s).")
            % {"name": name, "error": error}
        ) from None
    finally:
        stream.seek(0)
    return width, height


def _check_pdf(stream: IO[bytes], name: str) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    limit = settings.METHODICA_HERITAGE_MAX_PDF_PAGES
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise DomainError(
                _("“%(name)s” is an encrypted PDF; upload it without a password.")
                % {"name": name}
            )
        pages = len(reader.pages)
        if pages <= limit:
            for page in reader.pages:
                _check_pdf_page(page, name)
    except DomainError:
        raise
    except (
        PyPdfError,
        OSError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        zlib.error,
    ) as error:
        raise DomainError(
            _("“%(name)s” is a damaged PDF and cannot be read (%(error)s).")
            % {"name": name, "error": error}
        ) from None
    finally:
        stream.seek(0)
    if pages == 0:
        raise DomainError(_("“%(name)s” has no pages.") % {"name": name})
    if pages > limit:
        raise DomainError(
            _("“%(name)s” has %(pages)s pages, more than the %(limit)s allowed.")
            % {"name": name, "pages": pages, "limit": limit}
        )
    return pages


def _check_pdf_page(page, name: str) -> None:
    """Refuse a page too large to render or with a stream that inflates too far."""
    unit = float(page.get("/UserUnit", 1) or 1)
    box = page.mediabox
    area = abs(float(box.width) * float(box.height)) * unit * unit
    if area > settings.METHODICA_HERITAGE_MAX_PDF_PAGE_AREA:
        raise DomainError(
            _("“%(name)s” has a page too large to display safely.") % {"name": name}
        )
    contents = page.get("/Contents")
    streams = [] if contents is None else contents.get_object()
    # A copy: the page's own /Contents array is never changed.
    streams = list(streams) if isinstance(streams, list) else [streams]
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    xobjects = resources.get("/XObject")
    for xobject in (xobjects.get_object() if xobjects is not None else {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Image":
            _check_pixels(
                name, int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0))
            )
        streams.append(xobject)
    for content in streams:
        _check_stream(content.get_object(), name)


def _check_stream(content, name: str) -> None:
    """Inflate a Flate stream in bounded steps: refuse it past the cap.

    Flate may come after ASCII85 or ASCIIHex in the filter chain (ReportLab writes
    ASCII85 then Flate by default); those shrink what they decode, so they are
    undone first. A chain with anything else before Flate is left to the page cap.
    """
    from pypdf.filters import ASCII85Decode, ASCIIHexDecode

    filters = content.get("/Filter")
    if filters is None:
        return
    filters = filters.get_object()
    names = [str(f) for f in filters] if isinstance(filters, list) else [str(filters)]
    if "/FlateDecode" not in names:
        return
    data = content._data
    for before in names[: names.index("/FlateDecode")]:
        if before in ("/ASCII85Decode", "/A85"):
            data = ASCII85Decode.decode(data)
        elif before in ("/ASCIIHexDecode", "/AHx"):
            data = ASCIIHexDecode.decode(data)
        else:
            return
    limit = settings.METHODICA_HERITAGE_MAX_PDF_STREAM_BYTES
    inflater = zlib.decompressobj()
    size = 0
    while data and not inflater.eof:
        size += len(inflater.decompress(data, CHUNK))
        if size > limit:
            raise DomainError(
                _("“%(name)s” holds a stream that inflates past %(limit)s bytes.")
                % {"name": name, "limit": limit}
            )
        data = inflater.unconsumed_tail


def inspect(stream: IO[bytes], name: str) -> Inspection:
    """Check an upload; raise DomainError (translated) when it must be refused."""
    limit = settings.METHODICA_HERITAGE_MAX_FILE_BYTES
    size = getattr(stream, "size", None)
    if size is not None and size > limit:
        raise DomainError(_too_big(name, limit))
    stream.seek(0)
    mime = sniff(stream.read(16))
    stream.seek(0)
    if mime is None:
        raise DomainError(
            _("“%(name)s” is not a TIFF, JPEG, PNG or PDF file.") % {"name": name}
        )
    extension = PurePath(name).suffix.lower()
    if extension not in EXTENSIONS[mime]:
        raise DomainError(
            _("“%(name)s” is named as %(extension)s but its content is %(kind)s.")
            % {"name": name, "extension": extension or "—", "kind": mime}
        )
    sha256, size = sha256_of(stream)
    if size > limit:
        raise DomainError(_too_big(name, limit))
    if mime == "application/pdf":
        return Inspection(mime, size, sha256, pages=_check_pdf(stream, name))
    width, height = _check_image(stream, name)
    return Inspection(mime, size, sha256, width=width, height=height)


def _too_big(name: str, limit: int) -> str:
    return _("“%(name)s” is larger than the %(limit)s bytes allowed.") % {
        "name": name,
        "limit": limit,
    }
