"""Page images for the demo collection: Bulgarian text rendered like a worn scan.

Deterministic: the same text and seed give the same JPEG bytes. A page is drawn on
A4-ish paper (1240 × 1754 px, 150 dpi) in DejaVu Serif (from the npm package the PDFs
use), in one column or, for newspapers, two, then turned a fraction of a degree,
toned, speckled and softened, so that OCR meets something like a real scan. The
text drawn is returned beside the image: it is the ground truth for measuring OCR.
Photographs are greyscale compositions of gradients and shapes.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

WIDTH, HEIGHT = 1240, 1754
MARGIN = 110
GUTTER = 50
PAPER = 232
INK = 35


@dataclass(frozen=True)
class Scan:
    jpeg: bytes
    text: str  # the words drawn, one line per printed line


def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    from methodica.reporting.pdf import font_folder

    name = "DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf"
    return ImageFont.truetype(str(font_folder() / name), size)


def _wrap(text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and font.getlength(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        if line:
            lines.append(line)
    return lines


def _degrade(image, rng: random.Random):
    """Turn, tone, speckle and soften the clean page, deterministically."""
    from PIL import Image, ImageFilter

    angle = rng.uniform(-0.7, 0.7)
    image = image.rotate(
        angle, resample=Image.Resampling.BICUBIC, fillcolor=PAPER, expand=False
    )
    # A seeded speckle field (Pillow's effect_noise is not repeatable).
    noise = Image.new("L", (WIDTH, HEIGHT), 128)
    pixels = noise.load()
    assert pixels is not None  # a new image always has its pixels
    for _ in range(9000):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        pixels[x, y] = rng.choice((40, 90, 200, 255))
    image = Image.blend(image, noise, 0.06)
    return image.filter(ImageFilter.GaussianBlur(radius=0.6))


def _jpeg(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=78, optimize=True)
    return buffer.getvalue()


def render_page(
    body: str,
    *,
    seed: int,
    heading: str = "",
    masthead: str = "",
    columns: int = 1,
    size: int = 30,
) -> Scan:
    """A page of ``body`` (paragraphs split by newlines) and its ground truth."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)  # noqa: S311 (a repeatable demo, not a secret)
    image = Image.new("L", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    drawn: list[str] = []
    y = MARGIN
    if masthead:
        font = _font(72, bold=True)
        x = (WIDTH - font.getlength(masthead)) / 2
        draw.text((x, y), masthead, font=font, fill=INK)
        y += 100
        draw.line((MARGIN, y, WIDTH - MARGIN, y), fill=INK, width=3)
        y += 30
        drawn.append(masthead)
    if heading:
        font = _font(40, bold=True)
        for line in _wrap(heading, font, WIDTH - 2 * MARGIN):
            draw.text((MARGIN, y), line, font=font, fill=INK)
            drawn.append(line)
            y += 56
        y += 20
    font = _font(size)
    step = int(size * 1.45)
    column_width = (WIDTH - 2 * MARGIN - GUTTER * (columns - 1)) // columns
    lines = _wrap(body, font, column_width)
    per_column = max(1, (HEIGHT - MARGIN - y) // step)
    for index, line in enumerate(lines[: per_column * columns]):
        column, row = divmod(index, per_column)
        x = MARGIN + column * (column_width + GUTTER)
        draw.text((x, y + row * step), line, font=font, fill=INK)
        drawn.append(line)
    return Scan(jpeg=_jpeg(_degrade(image, rng)), text="\n".join(drawn))


def render_photograph(*, seed: int, width: int = 1200, height: int = 860) -> bytes:
    """A greyscale 'photograph': a sky gradient, hills, buildings and a frame."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)  # noqa: S311 (a repeatable demo, not a secret)
    image = (
        Image.linear_gradient("L")
        .resize((width, height))
        .point(lambda v: 70 + v * 150 // 255)
    )
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.45, 0.6))
    points = [(0, height)]
    for x in range(0, width + 80, 80):
        points.append((x, horizon + rng.randint(-40, 40)))
    points.append((width, height))
    draw.polygon(points, fill=rng.randint(60, 90))
    for _ in range(rng.randint(4, 8)):
        w, h = rng.randint(60, 160), rng.randint(80, 220)
        x = rng.randint(0, width - w)
        top = horizon - h + rng.randint(20, 60)
        draw.rectangle((x, top, x + w, horizon + 60), fill=rng.randint(30, 170))
        draw.polygon(
            [(x - 10, top), (x + w // 2, top - h // 3), (x + w + 10, top)],
            fill=rng.randint(20, 80),
        )
    for _ in range(rng.randint(2, 4)):
        r = rng.randint(20, 50)
        cx, cy = rng.randint(r, width - r), rng.randint(horizon + 80, height - r)
        draw.ellipse((cx - r, cy - 3 * r, cx + r, cy + r), fill=rng.randint(10, 50))
    draw.rectangle((0, 0, width - 1, height - 1), outline=245, width=24)
    image = image.filter(ImageFilter.GaussianBlur(radius=1.2))
    return _jpeg(image)
