"""Real page images and PDFs for the pipeline tests: Pillow and ReportLab, DejaVu."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from methodica.reporting.pdf import font_folder

SENTENCE = [
    "Читалището в нашия град",
    "пази старите вестници",
    "и книгите на местните автори.",
]


def text_png(lines: list[str] = SENTENCE, size: tuple[int, int] = (1400, 500)) -> bytes:
    """A clean scan-like page: black DejaVu Sans on white, 40 px letters."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_folder() / "DejaVuSans.ttf"), 40)
    for row, line in enumerate(lines):
        draw.text((60, 60 + row * 80), line, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def blank_png(size: tuple[int, int] = (800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def text_pdf(lines: list[str] = SENTENCE) -> bytes:
    """A PDF whose page carries real text (a text layer).

    Uncompressed pages: inspection refuses ReportLab's ASCII85+Flate streams (it
    inflates the ASCII85 text as zlib); see the pipeline report to the lead.
    """
    from reportlab.pdfgen import canvas

    from methodica.reporting.pdf import register_fonts

    register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595, 842), pageCompression=0)
    pdf.setFont("DejaVuSans", 14)
    for row, line in enumerate(lines):
        pdf.drawString(72, 760 - row * 24, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def image_pdf(png: bytes) -> bytes:
    """A PDF of one page that is only a picture of text: no text layer."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    picture = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = picture.size
    # Embedded as JPEG (DCTDecode): a Flate image under ASCII85, ReportLab's way
    # with PNGs, is refused by inspection (it inflates the ASCII85 text as zlib).
    jpeg = io.BytesIO()
    picture.save(jpeg, "JPEG", quality=95)
    jpeg.seek(0)
    buffer = io.BytesIO()
    # 1 px = 0.48 pt: the page renders at 150 dpi about as large as the picture.
    pdf = canvas.Canvas(
        buffer, pagesize=(width * 0.48, height * 0.48), pageCompression=0
    )
    pdf.drawImage(ImageReader(jpeg), 0, 0, width * 0.48, height * 0.48)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def sixteen_bit_tiff(size: tuple[int, int] = (64, 48)) -> bytes:
    """Left half dark (1,000 of 65,535), right half light (60,000)."""
    image = Image.new("I;16", size, 1000)
    image.paste(60000, (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    image.save(buffer, "TIFF")
    return buffer.getvalue()


def rotated_jpeg(size: tuple[int, int] = (120, 60)) -> bytes:
    """A landscape JPEG whose EXIF says "turn 90° clockwise" (orientation 6)."""
    image = Image.new("RGB", size, "gray")
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()
