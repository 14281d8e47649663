"""IIIF Image API 3.0 (level 1, plus some of level 2) cut from a page's derivative JPEG.

A request is parsed into an :class:`ImageRequest` first (bad syntax is
:class:`BadRequest`, a valid but unsupported feature :class:`NotSupported`), then
rendered with Pillow: ``Image.draft`` lets the JPEG decoder scale down by 2, 4 or 8
while it reads, so a small tile of a big page never decodes the whole page at full
size. Outputs larger than ``METHODICA_IIIF_MAX_WIDTH``/``_HEIGHT`` are refused.
Rendered images are kept in the heritage storage under ``derivatives/iiif/``, keyed
by the page, its last change and the request.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

CONTEXT = "http://iiif.io/api/image/3/context.json"
TILE = 512
FORMATS = {"jpg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png")}
QUALITIES = ("default", "color", "gray")
# Each number at most 12 characters: longer ones are no image coordinate, and
# int() and float() of thousands of digits cost time or overflow.
_REGION = re.compile(
    r"^(pct:)?([0-9.]{1,12}),([0-9.]{1,12}),([0-9.]{1,12}),([0-9.]{1,12})$"
)
_SIZE = re.compile(r"^(\^)?(!)?([0-9]{0,12}),([0-9]{0,12})$")


class BadRequest(Exception):
    """The request's syntax is wrong (HTTP 400)."""


class NotSupported(Exception):
    """A valid request for something this server does not do (HTTP 501)."""


def max_width() -> int:
    return settings.METHODICA_IIIF_MAX_WIDTH


def max_height() -> int:
    return settings.METHODICA_IIIF_MAX_HEIGHT


@dataclass(frozen=True)
class ImageRequest:
    region: tuple[int, int, int, int]  # x, y, w, h in page pixels
    size: tuple[int, int]
    rotation: int
    mirror: bool
    quality: str
    format: str

    def cache_key(self, page: Any) -> str:
        raw = f"{page.pk}:{page.updated_at.isoformat()}:{self!r}"
        return hashlib.sha256(raw.encode()).hexdigest()


def _number(text: str) -> float:
    if len(text) > 12:
        raise BadRequest(text)
    try:
        value = float(text)
    except ValueError:
        raise BadRequest(text) from None
    if not math.isfinite(value) or value < 0:
        raise BadRequest(text)
    return value


def parse_region(text: str, width: int, height: int) -> tuple[int, int, int, int]:
    if text == "full":
        return 0, 0, width, height
    if text == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    match = _REGION.match(text)
    if not match:
        raise BadRequest(text)
    x, y, w, h = (_number(part) for part in match.groups()[1:])
    if match.group(1):
        x, y = x * width / 100, y * height / 100
        w, h = w * width / 100, h * height / 100
    elif not all(float(v).is_integer() for v in (x, y, w, h)):
        raise BadRequest(text)
    if w <= 0 or h <= 0:
        raise BadRequest(text)
    if x >= width or y >= height:
        raise BadRequest(text)  # the spec allows 400 for a region wholly outside
    x0, y0 = round(x), round(y)
    x1, y1 = min(width, round(x + w)), min(height, round(y + h))
    if x1 <= x0 or y1 <= y0:
        raise BadRequest(text)
    return x0, y0, x1 - x0, y1 - y0


def parse_size(text: str, w: int, h: int) -> tuple[int, int]:
    """The output size for a region of ``w`` × ``h``; upscaling only with ``^``."""
    up = text.startswith("^")
    body = text[1:] if up else text
    if body == "max":
        scale = min(1.0, max_width() / w, max_height() / h)
        if up:
            scale = min(max_width() / w, max_height() / h)
        return max(1, round(w * scale)), max(1, round(h * scale))
    if body.startswith("pct:"):
        pct = _number(body[4:])
        if pct <= 0 or (pct > 100 and not up):
            raise BadRequest(text)
        return max(1, round(w * pct / 100)), max(1, round(h * pct / 100))
    match = _SIZE.match(text)
    if not match or (not match.group(3) and not match.group(4)):
        raise BadRequest(text)
    confined = bool(match.group(2))
    tw = int(match.group(3)) if match.group(3) else None
    th = int(match.group(4)) if match.group(4) else None
    if tw == 0 or th == 0:
        raise BadRequest(text)
    if confined:
        if tw is None or th is None:
            raise BadRequest(text)
        scale = min(tw / w, th / h)
        out = max(1, round(w * scale)), max(1, round(h * scale))
    elif tw is None and th is not None:
        out = max(1, round(w * th / h)), th
    elif th is None and tw is not None:
        out = tw, max(1, round(h * tw / w))
    else:
        assert tw is not None and th is not None  # both given: the match above
        out = tw, th
    if not up and (out[0] > w or out[1] > h):
        raise BadRequest(text)  # upscaling needs "^"
    return out


def parse(
    region: str, size: str, rotation: str, quality: str, fmt: str, page: Any
) -> ImageRequest:
    """Parse the four path parts against ``page``'s size; raise on bad requests."""
    width, height = page.width, page.height
    box = parse_region(region, width, height)
    out = parse_size(size, box[2], box[3])
    mirror = rotation.startswith("!")
    degrees = rotation[1:] if mirror else rotation
    try:
        angle = float(degrees)
    except ValueError:
        raise BadRequest(rotation) from None
    if not 0 <= angle <= 360:
        raise BadRequest(rotation)
    if angle % 90:
        raise NotSupported(rotation)
    if quality not in QUALITIES:
        if quality == "bitonal":
            raise NotSupported(quality)
        raise BadRequest(quality)
    if fmt not in FORMATS:
        raise NotSupported(fmt)
    turned = int(angle) % 360
    final = out if turned in (0, 180) else (out[1], out[0])
    if final[0] > max_width() or final[1] > max_height():
        raise BadRequest(size)
    return ImageRequest(box, out, turned, mirror, quality, fmt)


def render(source: Any, request: ImageRequest, page_size: tuple[int, int]) -> bytes:
    """Cut, scale, turn and encode ``request`` from the open JPEG file ``source``."""
    image: Image.Image = Image.open(source)
    x, y, w, h = request.region
    scale = request.size[0] / w
    if image.format == "JPEG" and scale < 1:
        # The decoder reduces by a power of two no smaller than what is needed.
        image.draft("RGB", (round(page_size[0] * scale), round(page_size[1] * scale)))
    fx, fy = image.size[0] / page_size[0], image.size[1] / page_size[1]
    box = (round(x * fx), round(y * fy), round((x + w) * fx), round((y + h) * fy))
    image = image.crop(box).resize(request.size, Image.Resampling.LANCZOS)
    if request.mirror:
        image = ImageOps.mirror(image)
    if request.rotation:
        image = image.rotate(-request.rotation, expand=True)
    image = image.convert("L" if request.quality == "gray" else "RGB")
    buffer = io.BytesIO()
    pil_format, _mime = FORMATS[request.format]
    image.save(buffer, pil_format, **({"quality": 85} if pil_format == "JPEG" else {}))
    return buffer.getvalue()


def _cacheable(request: ImageRequest) -> bool:
    """Only what viewers ask for again and again is kept: tiles and the sizes
    ``info.json`` offers, none larger than a tile's side twice. Any other region or
    size is rendered and not stored, so that odd requests cannot fill the disk."""
    return request.format in ("jpg", "png") and max(request.size) <= 2 * TILE


def image_bytes(page: Any, request: ImageRequest) -> bytes:
    """The rendered image, from the disk cache when it was made before."""
    storage = page.image.storage
    name = f"derivatives/iiif/{page.pk}/{request.cache_key(page)}.{request.format}"
    keep = _cacheable(request)
    if keep and storage.exists(name):
        with storage.open(name, "rb") as cached:
            return cached.read()
    with page.image.open("rb") as source:
        data = render(source, request, (page.width, page.height))
    if keep and not storage.exists(name):
        storage.save(name, ContentFile(data))
    return data


def scale_factors(width: int, height: int) -> list[int]:
    factors, factor = [1], 1
    while max(width, height) / (factor * 2) >= TILE / 2:
        factor *= 2
        factors.append(factor)
    return factors


def info(page: Any, service_id: str) -> dict[str, Any]:
    """The ``info.json`` of a page's image service."""
    width, height = page.width, page.height
    sizes, w, h = [], width, height
    while w > 64 and h > 64:
        w, h = w // 2, h // 2
        sizes.append({"width": max(1, w), "height": max(1, h)})
    sizes.reverse()
    return {
        "@context": CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level1",
        "width": width,
        "height": height,
        "maxWidth": max_width(),
        "maxHeight": max_height(),
        "sizes": sizes,
        "tiles": [{"width": TILE, "scaleFactors": scale_factors(width, height)}],
        "extraQualities": ["color", "gray"],
        "extraFormats": ["png"],
        "extraFeatures": [
            "mirroring",
            "regionByPct",
            "regionSquare",
            "rotationBy90s",
            "sizeByConfinedWh",
            "sizeByPct",
            "sizeByWh",
            "sizeUpscaling",
        ],
    }
