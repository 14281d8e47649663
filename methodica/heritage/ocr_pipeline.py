"""A page's text: read by OCR in the worker, taken from a PDF's text layer, corrected.

Rules (docs: the item page's status table shows each outcome with its reason):

- a PDF page with a text layer keeps that text (``text_source=embedded``, OCR
  status ``skipped``) and is never OCR'd; its words get no boxes (pypdf gives no
  cheap reliable coordinates), so its hits are not highlighted on the image;
- photographs, postcards and maps are pictures: they are not OCR'd (``skipped``,
  with the reason) until a cataloguer asks for it with "re-run OCR";
- an empty or near-empty result is status ``empty`` with its reason, never ``done``;
- a page a cataloguer has corrected keeps the corrected text when OCR runs again;
  only its word boxes (which the highlighting uses) are renewed.

After a page's text changes, :data:`page_text_changed` is sent (``sender=Page``,
``page=<Page>``): the search module connects to it to re-index the page.
"""

from __future__ import annotations

import difflib
import logging
import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from methodica.core.audit import audit
from methodica.core.errors import DomainError
from methodica.core.permissions import require_perm
from methodica.heritage import ocr
from methodica.heritage.models import Item, MasterFile, Page, TextRevision

logger = logging.getLogger(__name__)

# Sent with page=<Page> after the page's text (or its words) changed and committed.
page_text_changed = Signal()

OCR_TIMEOUT = 300  # seconds for one page
PICTURE_KINDS = {Item.Kind.PHOTOGRAPH, Item.Kind.POSTCARD, Item.Kind.MAP}
CATALOGUE = "heritage.item:catalogue"
Source = MasterFile.TextSource


def _announce(page: Page) -> None:
    transaction.on_commit(
        lambda: page_text_changed.send(sender=Page, page=page), robust=True
    )


def _set(page: Page, **values: Any) -> None:
    for name, value in values.items():
        setattr(page, name, value)
    page.save(update_fields=[*values, "updated_at"])


def _embedded_text(page: Page) -> str | None:
    """The PDF page's own text, or None when it has no text layer."""
    with page.master.file.storage.open(page.master.file.name, "rb") as stored:
        data = stored.read()
    if not ocr.has_text_layer(data, page.page_number - 1):
        return None
    import io

    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data)).pages[page.page_number - 1].extract_text()


def _revise(page: Page, text: str, source: Any, author: Any = None, note: str = ""):
    latest = page.revisions.first()
    if latest is None or latest.text != text or latest.source != source:
        TextRevision.objects.create(
            page=page, text=text, source=source, author=author, note=note[:300]
        )


@transaction.atomic
def _store_embedded(page: Page, text: str) -> None:
    _set(
        page,
        text=text,
        text_source=Source.EMBEDDED,
        words=[],
        ocr_status=Page.Status.SKIPPED,
        ocr_error=_("The PDF page has its own text layer; it was not OCR'd."),
        ocr_confidence=None,
        ocr_at=timezone.now(),
    )
    _revise(page, text, Source.EMBEDDED)
    _announce(page)


def _languages(item: Item) -> tuple[tuple[str, ...], list[str]]:
    choice = ocr.tesseract_languages(item.languages or [])
    installed = ocr.installed_languages()
    usable = tuple(code for code in choice.languages if code in installed)
    notes = [str(note) for note in choice.notes]
    if not usable:
        raise ocr.OcrError(
            _("The OCR language pack is not installed: %(languages)s.")
            % {"languages": choice.argument}
        )
    return usable, notes


@transaction.atomic
def _store_ocr(page: Page, result: ocr.OcrResult, notes: list[str]) -> None:
    words = [[w.text, *w.bbox] for w in result.words]
    confidences = [w.confidence for w in result.words if w.confidence is not None]
    check = ocr.is_near_empty(result.words, (page.width or 0, page.height or 0))
    text = ocr.page_text(result.words)
    corrected = page.text_source == Source.CORRECTED
    values: dict[str, Any] = {
        "words": words,
        "ocr_status": Page.Status.EMPTY if check.failed else Page.Status.DONE,
        "ocr_error": " ".join([str(check.reason), *notes]).strip(),
        "ocr_confidence": sum(confidences) / len(confidences) if confidences else None,
        "ocr_languages": "+".join(result.languages),
        "ocr_at": timezone.now(),
    }
    if not corrected:
        values |= {"text": text, "text_source": Source.OCR if text else Source.NONE}
    _set(page, **values)
    _revise(
        page,
        text,
        Source.OCR,
        note=_("OCR (%(languages)s)") % {"languages": values["ocr_languages"]},
    )
    _announce(page)


def read_page(page_id: int, *, force: bool = False) -> Any:  # a Page.Status
    """Give the page its text (text layer or OCR); returns the OCR status.

    ``force`` reads a picture's page too (a cataloguer asked for it).
    """
    page = Page.objects.select_related("item", "master").get(pk=page_id)
    if page.master.mime_type == MasterFile.Mime.PDF:
        try:
            text = _embedded_text(page)
        except ocr.OcrError as error:
            text = None
            logger.info("No text layer read from page %s: %s", page.pk, error)
        if text is not None:
            _store_embedded(page, text)
            return Page.Status.SKIPPED
    if page.item.kind in PICTURE_KINDS and not force:
        _set(
            page,
            ocr_status=Page.Status.SKIPPED,
            ocr_error=_(
                "Photographs, postcards and maps are not OCR'd unless asked: use "
                "“Re-run OCR” to read this page."
            ),
        )
        return Page.Status.SKIPPED
    if page.derivatives_status != Page.Status.DONE or not page.image.name:
        _set(
            page,
            ocr_status=Page.Status.FAILED,
            ocr_error=_("The page has no image to read: %(reason)s")
            % {"reason": page.derivatives_error or _("not made yet")},
        )
        return Page.Status.FAILED
    _set(page, ocr_status=Page.Status.RUNNING, ocr_error="")
    try:
        languages, notes = _languages(page.item)
        with tempfile.TemporaryDirectory(prefix="methodica-ocr-") as folder:
            path = Path(folder) / "page.jpg"
            with page.image.storage.open(page.image.name, "rb") as stored:
                path.write_bytes(stored.read())
            result = ocr.run_tesseract(path, languages, timeout=OCR_TIMEOUT)
    except ocr.OcrError as error:
        _set(page, ocr_status=Page.Status.FAILED, ocr_error=str(error.message))
        return Page.Status.FAILED
    _store_ocr(page, result, notes)
    return page.ocr_status


@task()
def read_page_task(page_id: int, force: bool = False) -> None:
    """The worker's OCR of one page (one worker per core, Tesseract single-threaded)."""
    if Page.objects.filter(pk=page_id).exists():
        read_page(page_id, force=force)


# --- services


RERUN_STATUSES = [Page.Status.FAILED, Page.Status.EMPTY, Page.Status.SKIPPED]


@transaction.atomic
def rerun_ocr(*, actor: Any, item: Item, page_ids: list[int] | None = None) -> int:
    """Read the item's failed, empty or skipped pages again; how many were queued.

    Pictures skipped by rule are read too: asking is the point of the button.
    """
    require_perm(actor, CATALOGUE, item)
    pages = Page.objects.current().filter(item=item, ocr_status__in=RERUN_STATUSES)
    pages = pages.exclude(text_source=Source.EMBEDDED)
    if page_ids is not None:
        pages = pages.filter(pk__in=page_ids)
    ids = list(pages.values_list("pk", flat=True))
    if not ids:
        raise DomainError(_("No page needs OCR again."))
    pages.update(ocr_status=Page.Status.PENDING, ocr_error="")
    audit(
        actor=actor,
        action="heritage_item.ocr_requested",
        obj=item,
        changes={"pages": {"before": None, "after": ids}},
    )
    for page_id in ids:
        transaction.on_commit(lambda pk=page_id: read_page_task.enqueue(pk, force=True))
    return len(ids)


def _check_text(text: str) -> str:
    from methodica.heritage.xmltext import MESSAGE, has_control_characters

    text = text.replace("\r\n", "\n")
    if has_control_characters(text):
        raise DomainError(str(MESSAGE), field="text")
    return text


@transaction.atomic
def correct_page_text(*, actor: Any, page: Page, text: str, note: str = "") -> Page:
    """Save a cataloguer's correction of a page's text as a new revision."""
    require_perm(actor, CATALOGUE, page.item)
    page = Page.objects.select_for_update().select_related("item").get(pk=page.pk)
    text = _check_text(text)
    if text == page.text:
        raise DomainError(_("The text is unchanged."), field="text")
    before = page.text
    _set(page, text=text, text_source=Source.CORRECTED)
    TextRevision.objects.create(
        page=page, text=text, source=Source.CORRECTED, author=actor, note=note[:300]
    )
    audit(
        actor=actor,
        action="heritage_page.text_corrected",
        obj=page,
        changes={"text": {"before": before, "after": text}},
    )
    _announce(page)
    return page


@transaction.atomic
def restore_revision(*, actor: Any, revision: TextRevision) -> Page:
    """Make an earlier revision's text current again, as a new corrected revision."""
    note = _("Restored the version of %(when)s.") % {
        "when": timezone.localtime(revision.created_at).strftime("%Y-%m-%d %H:%M")
    }
    return correct_page_text(
        actor=actor, page=revision.page, text=revision.text, note=note
    )


def revision_diff(older: TextRevision, newer: TextRevision) -> list[tuple[str, str]]:
    """Line by line: ("same"|"added"|"removed", line), for the diff view."""
    kinds = {" ": "same", "+": "added", "-": "removed"}
    lines = difflib.ndiff(older.text.splitlines(), newer.text.splitlines())
    return [(kinds[line[0]], line[2:]) for line in lines if line[0] in kinds]
