"""Methodological help: consultations (logged or asked for by a library) and visits.

A consultation is one act of help: a phone call, an email, an answer in the
social-media group, a question asked from inside Methodica. A visit is planned for a
library, recorded against an editable checklist, and leaves recommendations that are
followed up until they are closed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from methodica.core.permissions import Scope, scope_q
from methodica.core.texts import in_language


def _library_or_district_q(user: Any, perm: str) -> Q:
    """Rows tied to a library are scoped by it; rows without one need the district."""
    return scope_q(
        user,
        perm,
        district="district_id",
        municipality="library__municipality_id",
        library="library_id",
    )


class TaxonomyEntry(models.Model):
    """An entry of one of the district's editable lists, named in each language."""

    code = models.SlugField(_("code"), max_length=50)
    names = models.JSONField(
        _("names"), default=dict, help_text=_("The name in each language.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    district_id: int

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.names) or self.code

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.district_id)


class Topic(TaxonomyEntry):
    """One entry of the editable taxonomy of consultation topics."""

    district = models.ForeignKey(
        "libraries.District",
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="consultation_topics",
    )

    class Meta(TaxonomyEntry.Meta):
        verbose_name = _("consultation topic")
        verbose_name_plural = _("consultation topics")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "code"], name="topic_unique_code"
            ),
        ]


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def visible_to(self, user: Any) -> ConsultationQuerySet:
        return self.filter(_library_or_district_q(user, "support.consultation:view"))


class Consultation(models.Model):
    """One act of methodological help, logged by a methodologist or asked for.

    A question asked from inside Methodica (``origin=request``) is a thread of
    :class:`Message` rows; it is *open* until a methodologist answers it, and it has
    an owner and an age while it is open.
    """

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone")
        EMAIL = "email", _("email")
        SOCIAL = "social", _("social-media group")
        ON_SITE = "on_site", _("on site")
        VIDEO = "video", _("video call")
        SYSTEM = "system", _("in Methodica")

    class Origin(models.TextChoices):
        LOGGED = "logged", _("logged by a methodologist")
        REQUEST = "request", _("asked by a library")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ANSWERED = "answered", _("answered")

    # The READ scale (Reference Effort Assessment Data): 1 is a quick directional
    # answer, 6 is in-depth research over time. When unsure, score the higher level.
    READ_LEVELS = [
        (1, _("1: a quick answer, no expertise needed")),
        (2, _("2: a short answer from a known source")),
        (3, _("3: some searching or explaining")),
        (4, _("4: expertise and several sources")),
        (5, _("5: substantial work, follow-up")),
        (6, _("6: in-depth work over time")),
    ]

    district = models.ForeignKey(
        "libraries.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    library = models.ForeignKey(
        "libraries.Library",
        verbose_name=_("library"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    person = models.CharField(
        _("person"),
        max_length=200,
        blank=True,
        help_text=_("Who asked, when it was not on behalf of a library."),
    )
    given_on = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    minutes = models.PositiveIntegerField(
        _("time spent (minutes)"),
        default=0,
        validators=[MaxValueValidator(60 * 24 * 10)],
    )
    read_level = models.PositiveSmallIntegerField(
        _("effort (READ scale)"),
        choices=READ_LEVELS,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    follow_up = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_done_on = models.DateField(_("followed up"), null=True, blank=True)
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.LOGGED
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ANSWERED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("methodologist"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations_owned",
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations_asked",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When the library last started waiting: the question, or a reply that
    # reopened an answered thread. The queue and the ages are reckoned from it.
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(library__isnull=False) | ~Q(person=""),
                name="consultation_library_or_person",
            ),
            models.CheckConstraint(
                condition=Q(status="answered") | Q(origin="request"),
                name="consultation_only_requests_open",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "given_on"], name="consultation_date"),
            models.Index(
                fields=["status"],
                name="consultation_open",
                condition=Q(status="open"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_on}: {self.library or self.person}"

    def scope_ids(self) -> Scope:
        if self.library_id is None:
            return Scope(district_id=self.district_id)
        return Scope(
            district_id=self.district_id,
            municipality_id=self.library.municipality_id,
            library_id=self.library_id,
        )

    @property
    def age(self) -> Any:
        """How long an open question has waited (a timedelta), else None."""
        if self.status != self.Status.OPEN:
            return None
        return timezone.now() - (self.waiting_since or self.created_at)


class Message(models.Model):
    """One message of a consultation thread asked from inside Methodica."""

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    from_methodologist = models.BooleanField(_("from a methodologist"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.created_at:%Y-%m-%d %H:%M}"


class ChecklistItem(TaxonomyEntry):
    """One point of the editable visit checklist (the catalogue, the premises…)."""

    district = models.ForeignKey(
        "libraries.District",
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="visit_checklist",
    )

    class Meta(TaxonomyEntry.Meta):
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "code"], name="checklist_unique_code"
            ),
        ]


class VisitQuerySet(models.QuerySet["Visit"]):
    def visible_to(self, user: Any) -> VisitQuerySet:
        return self.filter(
            scope_q(
                user,
                "support.visit:view",
                district="library__municipality__district_id",
                municipality="library__municipality_id",
                library="library_id",
            )
        )


class Visit(models.Model):
    """A methodological visit to a library: planned, then recorded."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DONE = "done", _("made")
        CANCELLED = "cancelled", _("cancelled")

    library = models.ForeignKey(
        "libraries.Library",
        verbose_name=_("library"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    planned_for = models.DateField(_("planned for"))
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    methodologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("methodologist"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="visits",
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    met_with = models.CharField(_("met with"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    report_sent_at = models.DateTimeField(_("report sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-planned_for", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(visited_on__isnull=False),
                name="visit_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.library}: {self.visited_on or self.planned_for}"

    def scope_ids(self) -> Scope:
        return self.library.scope_ids()


class Finding(models.Model):
    """What the visit found on one checklist point."""

    class Rating(models.TextChoices):
        GOOD = "good", _("in order")
        ATTENTION = "attention", _("needs attention")
        POOR = "poor", _("poor")
        NOT_SEEN = "not_seen", _("not checked")

    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("checklist item"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    rating = models.CharField(
        _("rating"), max_length=10, choices=Rating.choices, default=Rating.NOT_SEEN
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "item"], name="finding_one_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_rating_display()}"


class RecommendationQuerySet(models.QuerySet["Recommendation"]):
    def visible_to(self, user: Any) -> RecommendationQuerySet:
        return self.filter(
            scope_q(
                user,
                "support.visit:view",
                district="library__municipality__district_id",
                municipality="library__municipality_id",
                library="library_id",
            )
        )

    def still_open(self) -> RecommendationQuerySet:
        return self.filter(status__in=Recommendation.OPEN_STATUSES)


class Recommendation(models.Model):
    """Something a visit asked the library to do, followed up until it is closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    # The visit's library, kept on the row so that open recommendations of a
    # library or a municipality are one indexed query.
    library = models.ForeignKey(
        "libraries.Library",
        verbose_name=_("library"),
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    text = models.TextField(_("recommendation"))
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    progress_note = models.TextField(_("follow-up note"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_progress"])
                | Q(closed_on__isnull=False),
                name="recommendation_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def scope_ids(self) -> Scope:
        return self.library.scope_ids()

    @property
    def is_overdue(self) -> bool:
        return self.status in self.OPEN_STATUSES and self.due_on < timezone.localdate()
