"""The local-history collection: items, their master files and their preservation log.

Access to an item is decided in one place, :mod:`methodica.heritage.access`;
``Item.objects.viewable(user, ip)`` is the same rule as a filter.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from methodica.core.permissions import Scope
from methodica.heritage.xmltext import no_control_characters
from methodica.libraries.models import District, Library, Settlement

RIGHTS_STATEMENTS = [
    ("http://rightsstatements.org/vocab/InC/1.0/", _("In Copyright")),
    (
        "http://rightsstatements.org/vocab/InC-OW-EU/1.0/",
        _("In Copyright – EU Orphan Work"),
    ),
    (
        "http://rightsstatements.org/vocab/InC-EDU/1.0/",
        _("In Copyright – Educational Use Permitted"),
    ),
    (
        "http://rightsstatements.org/vocab/InC-NC/1.0/",
        _("In Copyright – Non-Commercial Use Permitted"),
    ),
    (
        "http://rightsstatements.org/vocab/InC-RUU/1.0/",
        _("In Copyright – Rights-holder(s) Unlocatable or Unidentifiable"),
    ),
    (
        "http://rightsstatements.org/vocab/NoC-CR/1.0/",
        _("No Copyright – Contractual Restrictions"),
    ),
    (
        "http://rightsstatements.org/vocab/NoC-NC/1.0/",
        _("No Copyright – Non-Commercial Use Only"),
    ),
    (
        "http://rightsstatements.org/vocab/NoC-OKLR/1.0/",
        _("No Copyright – Other Known Legal Restrictions"),
    ),
    (
        "http://rightsstatements.org/vocab/NoC-US/1.0/",
        _("No Copyright – United States"),
    ),
    ("http://rightsstatements.org/vocab/CNE/1.0/", _("Copyright Not Evaluated")),
    ("http://rightsstatements.org/vocab/UND/1.0/", _("Copyright Undetermined")),
    ("http://rightsstatements.org/vocab/NKC/1.0/", _("No Known Copyright")),
]

LANGUAGES = [
    ("bul", _("Bulgarian")),
    ("chu", _("Church Slavonic")),
    ("rus", _("Russian")),
    ("eng", _("English")),
    ("fre", _("French")),
    ("ger", _("German")),
    ("gre", _("Greek")),
    ("tur", _("Turkish")),
    ("ota", _("Ottoman Turkish")),
    ("rum", _("Romanian")),
    ("srp", _("Serbian")),
    ("mac", _("Macedonian")),
    ("lat", _("Latin")),
]


def heritage_storage() -> Any:
    return storages["heritage"]


class Collection(models.Model):
    """A collection or a series inside one; ``set_spec`` names its OAI-PMH set."""

    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="heritage_collections",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    title = models.CharField(
        _("title"), max_length=300, validators=[no_control_characters]
    )
    description = models.TextField(
        _("description"), blank=True, validators=[no_control_characters]
    )
    set_spec = models.SlugField(
        _("set name"),
        max_length=200,
        unique=True,
        help_text=_("Letters, digits and hyphens; names the OAI-PMH set."),
    )
    public = models.BooleanField(_("public"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.district_id)

    def oai_set_spec(self) -> str:
        """The set's spec with its ancestors', ``:``-separated as OAI-PMH nests sets."""
        parts, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            parts.append(node.set_spec)
            node = node.parent
        return ":".join(reversed(parts))


def open_collection_specs() -> dict[int, str]:
    """{collection id: full set spec} of the collections the public may see (one
    query): OAI-PMH's sets, and the collections public facets may name.

    A collection is a set only if it and all its ancestors are public: a public
    series under a private collection is left out, not shown with a truncated spec.
    """
    collections = {c.pk: c for c in Collection.objects.all()}
    specs = {}
    for pk, collection in collections.items():
        parts, node, seen, public = [], collection, set(), True
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            public = public and node.public
            parts.append(node.set_spec)
            node = collections.get(node.parent_id) if node.parent_id else None
        if public:
            specs[pk] = ":".join(reversed(parts))
    return specs


class Authority(models.Model):
    """A person or an organisation, described once and linked from many items."""

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        ORGANISATION = "organisation", _("organisation")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(
        _("preferred name"), max_length=300, validators=[no_control_characters]
    )
    variants = models.JSONField(_("name variants"), default=list, blank=True)
    dates = models.CharField(_("dates"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("authority record")
        verbose_name_plural = _("authority records")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.dates})" if self.dates else self.name


class Subject(models.Model):
    """A term of the collection's simple subject vocabulary."""

    term = models.CharField(
        _("term"), max_length=200, unique=True, validators=[no_control_characters]
    )

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term


class Title(models.Model):
    """A newspaper or periodical whose issues are items."""

    name = models.CharField(
        _("name"), max_length=300, validators=[no_control_characters]
    )
    place = models.ForeignKey(
        Settlement,
        verbose_name=_("place of publication"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    years = models.CharField(_("years"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("newspaper title")
        verbose_name_plural = _("newspaper titles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ItemQuerySet(models.QuerySet["Item"]):
    def live(self) -> ItemQuerySet:
        return self.filter(deleted_at__isnull=True)

    def viewable(self, user: Any, ip: str | None) -> ItemQuerySet:
        """The items ``user`` (from address ``ip``) may see: the rule of access.can_view."""
        from methodica.heritage.access import viewable_q

        return self.live().filter(viewable_q(user, ip))


class Item(models.Model):
    """One described object: a manuscript, an issue of a newspaper, a photograph..."""

    class Kind(models.TextChoices):
        MANUSCRIPT = "manuscript", _("manuscript")
        NEWSPAPER_ISSUE = "newspaper_issue", _("newspaper issue")
        PHOTOGRAPH = "photograph", _("photograph")
        BOOK = "book", _("book")
        POSTCARD = "postcard", _("postcard")
        DOCUMENT = "document", _("document")
        MAP = "map", _("map")

    class Access(models.TextChoices):
        PUBLIC = "public", _("public")
        READING_ROOM = "reading_room", _("reading room only")
        STAFF_ONLY = "staff_only", _("staff only")

    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="heritage_items",
    )
    identifier = models.SlugField(
        _("identifier"),
        max_length=100,
        unique=True,
        help_text=_("The item's stable local id; it never changes."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    newspaper = models.ForeignKey(
        Title,
        verbose_name=_("newspaper"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
    )
    title = models.CharField(
        _("title"), max_length=500, validators=[no_control_characters]
    )
    alternative = models.CharField(
        _("other title"),
        max_length=500,
        blank=True,
        validators=[no_control_characters],
    )
    description = models.TextField(
        _("description"), blank=True, validators=[no_control_characters]
    )
    publisher = models.CharField(
        _("publisher"), max_length=300, blank=True, validators=[no_control_characters]
    )
    date = models.CharField(
        _("date"),
        max_length=50,
        blank=True,
        help_text=_("EDTF: 1878, 1878-05-12, 1878?, 1878~, 189X, 1878/1885."),
    )
    date_start = models.DateField(_("earliest date"), null=True, blank=True)
    date_end = models.DateField(_("latest date"), null=True, blank=True)
    authorities = models.ManyToManyField(
        Authority,
        verbose_name=_("creators and contributors"),
        through="ItemAuthority",
        blank=True,
        related_name="items",
    )
    places = models.ManyToManyField(
        Settlement, verbose_name=_("places"), blank=True, related_name="+"
    )
    subjects = models.ManyToManyField(
        Subject, verbose_name=_("subjects"), blank=True, related_name="items"
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    rights = models.CharField(
        _("rights statement"),
        max_length=100,
        choices=RIGHTS_STATEMENTS,
        default="http://rightsstatements.org/vocab/CNE/1.0/",
    )
    collections = models.ManyToManyField(
        Collection, verbose_name=_("collections"), blank=True, related_name="items"
    )
    holding_library = models.ForeignKey(
        Library,
        verbose_name=_("holding library"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    access = models.CharField(
        _("access"), max_length=20, choices=Access.choices, default=Access.PUBLIC
    )
    embargo_until = models.DateField(_("embargo until"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    # The OAI-PMH datestamp: the last change, or the moment the embargo ends if that
    # is later (set by the services), so that incremental harvests pick up an item
    # when it becomes public. A column of its own, so lists page by an index.
    harvest_stamp = models.DateTimeField(_("harvest datestamp"), default=timezone.now)
    # Set once the item has been public (so OAI-PMH may have shown it), never
    # cleared: an exposed item that is restricted or deleted later is announced
    # as a deleted record, and one that never was public is never mentioned.
    oai_exposed = models.BooleanField(_("shown by OAI-PMH"), default=False)

    objects = ItemQuerySet.as_manager()

    # Metadata words (title, creators, subjects, places, description), weighted; the
    # pages' text has its own vectors on Page.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["title", "pk"]
        indexes = [
            models.Index(fields=["harvest_stamp", "id"], name="heritage_item_oai_idx"),
            models.Index(
                fields=["date_start", "date_end"], name="heritage_item_period_idx"
            ),
            models.Index(fields=["kind"], name="heritage_item_kind_idx"),
            GinIndex(fields=["search_vector"], name="heritage_item_search_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_start__isnull=True)
                | models.Q(date_end__isnull=True)
                | models.Q(date_start__lte=models.F("date_end")),
                name="heritage_item_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.district_id)

    def compute_harvest_stamp(
        self, now: datetime.datetime | None = None
    ) -> datetime.datetime:
        """The later of the last change and the embargo's end (local midnight).

        A deleted item, or an exposed one that is no longer public, is stamped at
        the change: its deleted header must never carry a future datestamp.
        """
        from methodica.heritage.access import is_public

        stamp = now or self.updated_at or timezone.now()
        if self.deleted_at is not None:
            return max(stamp, self.deleted_at) if now else self.deleted_at
        if self.oai_exposed and not is_public(self):
            return stamp
        if self.embargo_until is not None:
            opens = timezone.make_aware(
                datetime.datetime.combine(self.embargo_until, datetime.time.min)
            )
            stamp = max(stamp, opens)
        return stamp


class ItemAuthority(models.Model):
    """An authority's part in an item: author, photographer, publisher..."""

    class Role(models.TextChoices):
        CREATOR = "creator", _("creator")
        CONTRIBUTOR = "contributor", _("contributor")
        PHOTOGRAPHER = "photographer", _("photographer")
        EDITOR = "editor", _("editor")
        SUBJECT = "subject", _("depicted or discussed")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="credits")
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="credits"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "authority", "role"], name="heritage_credit_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.authority} ({self.get_role_display()})"

    @property
    def is_creator(self) -> bool:
        return self.role in (self.Role.CREATOR, self.Role.PHOTOGRAPHER)


def _master_path(instance: MasterFile, filename: str) -> str:
    # Never derived from the uploaded name alone: a new file always gets a new path,
    # so a master is written once and never overwritten.
    return f"masters/{instance.item.identifier}/{instance.sha256[:2]}/{filename}"


class MasterFile(models.Model):
    """A master file of an item (a page image or a PDF), stored unchanged.

    ``text`` and ``text_source`` are for the OCR that a later version adds; word
    coordinates will live in their own table keyed on this one.
    """

    class Mime(models.TextChoices):
        TIFF = "image/tiff", "TIFF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"
        PDF = "application/pdf", "PDF"

    class TextSource(models.TextChoices):
        NONE = "none", _("no text")
        EMBEDDED = "embedded", _("embedded text layer")
        OCR = "ocr", _("OCR")
        CORRECTED = "corrected", _("corrected OCR")

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(
        _("file"), storage=heritage_storage, upload_to=_master_path, max_length=500
    )
    original_name = models.CharField(_("original name"), max_length=255)
    mime_type = models.CharField(_("type"), max_length=40, choices=Mime.choices)
    size = models.BigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    order = models.PositiveIntegerField(_("page order"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=1)
    text = models.TextField(_("text"), blank=True)
    text_source = models.CharField(
        _("text source"),
        max_length=20,
        choices=TextSource.choices,
        default=TextSource.NONE,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # A replaced master is kept (never deleted or overwritten) and points to its
    # successor; only current files (replaced_by is null) make up the item.
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
    )
    last_fixity_at = models.DateTimeField(_("last fixity check"), null=True)
    fixity_ok = models.BooleanField(_("fixity passed"), null=True)

    class Meta:
        verbose_name = _("master file")
        verbose_name_plural = _("master files")
        ordering = ["item", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "order"],
                condition=models.Q(replaced_by__isnull=True),
                name="heritage_file_current_order_unique",
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.item.district_id)


class PreservationEvent(models.Model):
    """One thing that happened to an item or a master file (PREMIS-like). Append-only."""

    class Type(models.TextChoices):
        INGEST = "ingest", _("ingest")
        DERIVATIVE = "derivative", _("derivative made")
        FIXITY_PASSED = "fixity_passed", _("fixity check passed")
        FIXITY_FAILED = "fixity_failed", _("fixity check failed")
        REPLACED = "replaced", _("file replaced")
        DELETED = "deleted", _("deleted")
        METADATA_CHANGED = "metadata_changed", _("metadata changed")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("success")
        FAILURE = "failure", _("failure")

    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="preservation_events"
    )
    file = models.ForeignKey(
        MasterFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    type = models.CharField(_("event"), max_length=20, choices=Type.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS
    )

    class Meta:
        verbose_name = _("preservation event")
        verbose_name_plural = _("preservation events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["type", "-at"], name="heritage_event_type_idx")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Preservation events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Preservation events are append-only.")


def _derivative_path(instance: Page, filename: str) -> str:
    # Derivatives can be made again from the masters; they live apart from them.
    return f"derivatives/{instance.item.identifier}/{filename}"


class PageQuerySet(models.QuerySet["Page"]):
    def current(self) -> PageQuerySet:
        """Pages of the masters that make up the item now (not replaced ones)."""
        return self.filter(master__replaced_by__isnull=True)


class Page(models.Model):
    """One page of an item, a canvas in IIIF: an image master, or a PDF's page.

    It carries what is made from the master: the derivative images (a full-size
    JPEG that the IIIF image service cuts tiles from, and a thumbnail), the text
    (from the PDF's text layer, from OCR, or corrected by a cataloguer) with each
    word's box on the page image, and the page's search vector.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("in progress")
        DONE = "done", _("done")
        EMPTY = "empty", _("no text found")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not needed")

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="pages"
    )
    master = models.ForeignKey(
        MasterFile,
        verbose_name=_("master file"),
        on_delete=models.CASCADE,
        related_name="page_set",
    )
    page_number = models.PositiveIntegerField(
        _("page of the master"), default=1, help_text=_("1 for an image; n in a PDF.")
    )
    order = models.PositiveIntegerField(_("order in the item"))
    label = models.CharField(_("label"), max_length=50, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    image = models.FileField(
        _("image"),
        storage=heritage_storage,
        upload_to=_derivative_path,
        max_length=500,
        blank=True,
    )
    thumbnail = models.FileField(
        _("thumbnail"),
        storage=heritage_storage,
        upload_to=_derivative_path,
        max_length=500,
        blank=True,
    )
    derivatives_status = models.CharField(
        _("images"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    derivatives_error = models.TextField(_("image error"), blank=True)
    text = models.TextField(_("text"), blank=True)
    text_source = models.CharField(
        _("text source"),
        max_length=20,
        choices=MasterFile.TextSource.choices,
        default=MasterFile.TextSource.NONE,
    )
    # [[word, x0, y0, x1, y1], ...] in the pixels of the page image (width × height).
    words = models.JSONField(_("word boxes"), default=list, blank=True)
    ocr_status = models.CharField(
        _("OCR"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    ocr_error = models.TextField(_("OCR error"), blank=True)
    ocr_confidence = models.FloatField(_("OCR confidence"), null=True, blank=True)
    ocr_languages = models.CharField(_("OCR languages"), max_length=50, blank=True)
    ocr_at = models.DateTimeField(_("read"), null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["item", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["master", "page_number"], name="heritage_page_once_per_master"
            ),
        ]
        indexes = [
            models.Index(fields=["item", "order"], name="heritage_page_order_idx"),
            models.Index(fields=["ocr_status"], name="heritage_page_ocr_idx"),
            GinIndex(fields=["search_vector"], name="heritage_page_search_idx"),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.item}: {self.order}"

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.item.district_id)


class TextRevision(models.Model):
    """One version of a page's text: what OCR read, and every correction after it."""

    page = models.ForeignKey(
        Page, verbose_name=_("page"), on_delete=models.CASCADE, related_name="revisions"
    )
    text = models.TextField(_("text"))
    source = models.CharField(
        _("source"), max_length=20, choices=MasterFile.TextSource.choices
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        verbose_name = _("text revision")
        verbose_name_plural = _("text revisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.page}: {self.created_at:%Y-%m-%d %H:%M}"


def _batch_path(instance: IngestBatch, filename: str) -> str:
    return f"batches/{instance.district_id}/{filename}"


class IngestBatch(models.Model):
    """A batch upload: a zip (or a folder on the server) with a CSV of metadata.

    It is checked first (a dry run writes nothing and keeps a report), then run by
    the worker row by row; each row is one item, all or nothing, so a batch stopped
    half-way is resumed from the rows not done, or rolled back.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        CHECKED = "checked", _("checked")
        INVALID = "invalid", _("has errors")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("stopped with errors")
        ROLLED_BACK = "rolled_back", _("rolled back")

    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="heritage_batches",
    )
    collection = models.ForeignKey(
        Collection,
        verbose_name=_("collection"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
    )
    archive = models.FileField(
        _("archive"),
        storage=heritage_storage,
        upload_to=_batch_path,
        max_length=500,
        blank=True,
    )
    folder = models.CharField(_("folder on the server"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    report = models.JSONField(_("check report"), default=dict, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows done"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.pk}: {self.get_status_display()}"

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.district_id)


class IngestRow(models.Model):
    """One CSV row of a batch: one item and its files."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        ROLLED_BACK = "rolled_back", _("rolled back")

    batch = models.ForeignKey(
        IngestBatch,
        verbose_name=_("batch"),
        on_delete=models.CASCADE,
        related_name="rows",
    )
    number = models.PositiveIntegerField(_("row"))
    identifier = models.CharField(_("identifier"), max_length=100)
    data = models.JSONField(_("metadata"), default=dict)
    files = models.JSONField(_("files"), default=list)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    message = models.TextField(_("message"), blank=True)
    item = models.ForeignKey(
        Item,
        verbose_name=_("item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("batch row")
        verbose_name_plural = _("batch rows")
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "number"], name="heritage_batch_row_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.number}: {self.identifier}"
