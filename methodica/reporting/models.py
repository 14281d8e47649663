"""Annual statistical reports: forms of indicators, campaigns, reports and their values.

Values are stored one row per (report, indicator): see docs/decisions/0004 for the
measurements behind that choice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from methodica.core.models import SpreadsheetImport
from methodica.core.permissions import Scope, scope_q
from methodica.core.texts import in_language

# The units of the default form, shown in the user's language; a unit an
# administrator types that is not here is shown as typed.
UNIT_LABELS = {
    "items": _("items"),
    "persons": _("persons"),
    "visits": _("visits"),
    "events": _("events"),
    "hours": _("hours"),
    "computers": _("computers"),
    "BGN": _("BGN"),
    "FTE": _("FTE"),
}


class ReportForm(models.Model):
    """The form of one year: sections of indicators and the rules that check them."""

    class State(models.TextChoices):
        DRAFT = "draft", _("being prepared")
        PUBLISHED = "published", _("in use")

    district = models.ForeignKey(
        "libraries.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="report_forms",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Raised by every change of the form's design (design.py), and kept with each
    # ReportVersion, so one can tell which form a save was made against.
    version = models.PositiveIntegerField(_("form version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year"], name="form_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.year}"

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.district_id)


class Section(models.Model):
    form = models.ForeignKey(
        ReportForm,
        verbose_name=_("form"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    code = models.SlugField(_("code"), max_length=40)
    names = models.JSONField(_("names"), default=dict)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="section_unique_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.names)


class Indicator(models.Model):
    """One question of the form: a number, a yes/no, a text or a choice."""

    class ValueType(models.TextChoices):
        INTEGER = "integer", _("whole number")
        DECIMAL = "decimal", _("number")
        BOOLEAN = "boolean", _("yes/no")
        TEXT = "text", _("text")
        CHOICE = "choice", _("choice")

    form = models.ForeignKey(
        ReportForm,
        verbose_name=_("form"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    code = models.CharField(_("code"), max_length=40)
    names = models.JSONField(_("names"), default=dict)
    definitions = models.JSONField(_("definitions"), default=dict, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    value_type = models.CharField(
        _("type"), max_length=10, choices=ValueType.choices, default=ValueType.INTEGER
    )
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    formula = models.CharField(
        _("formula"),
        max_length=500,
        blank=True,
        help_text=_(
            "Computed from other indicators, e.g. loans_adults + loans_children."
        ),
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        help_text=_("The indicator of an earlier form this one continues."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["section__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "code"], name="indicator_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    @property
    def name(self) -> str:
        return in_language(self.names)

    @property
    def definition(self) -> str:
        return in_language(self.definitions) if self.definitions else ""

    @property
    def unit_label(self) -> str:
        return str(UNIT_LABELS.get(self.unit, self.unit))

    @property
    def is_numeric(self) -> bool:
        return self.value_type in (self.ValueType.INTEGER, self.ValueType.DECIMAL)


class Rule(models.Model):
    """A check on a report, written in the rule language (reporting/expressions.py)."""

    class Severity(models.TextChoices):
        HARD = "hard", _("blocks submission")
        SOFT = "soft", _("warns")

    form = models.ForeignKey(
        ReportForm,
        verbose_name=_("form"),
        on_delete=models.CASCADE,
        related_name="rules",
    )
    code = models.SlugField(_("code"), max_length=60)
    expression = models.CharField(_("expression"), max_length=1000)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    messages = models.JSONField(_("messages"), default=dict)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["severity", "code"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="rule_unique_code")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def message(self) -> str:
        return in_language(self.messages) or self.expression


class Campaign(models.Model):
    """The collection of one year's reports, with its deadline."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    form = models.OneToOneField(
        ReportForm,
        verbose_name=_("form"),
        on_delete=models.PROTECT,
        related_name="campaign",
    )
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.OPEN
    )
    # Year-over-year changes beyond this share warn (0.5 = 50%).
    change_threshold = models.DecimalField(
        _("change that warns"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
    )
    # A ratio warns when its modified z-score among comparable libraries is beyond
    # this (3.5 in Iglewicz and Hoaglin; see outliers.py).
    peer_threshold = models.DecimalField(
        _("peer outlier score that warns"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("3.5"),
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        verbose_name = _("reporting campaign")
        verbose_name_plural = _("reporting campaigns")
        ordering = ["-form__year"]

    def __str__(self) -> str:
        return str(self.form)

    @property
    def year(self) -> int:
        return self.form.year

    def scope_ids(self) -> Scope:
        return self.form.scope_ids()


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, user: Any) -> ReportQuerySet:
        return self.filter(
            scope_q(
                user,
                "reporting.report:view",
                district="library__municipality__district_id",
                municipality="library__municipality_id",
                library="library_id",
            )
        )


class Report(models.Model):
    """One library's report for one year."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        ACCEPTED = "accepted", pgettext_lazy("report status", "accepted")

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    library = models.ForeignKey(
        "libraries.Library",
        verbose_name=_("library"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    # Raised by every save: a save based on an older revision is refused, so two
    # people never silently overwrite each other.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    completeness = models.PositiveSmallIntegerField(_("complete (%)"), default=0)
    late_allowed_until = models.DateField(
        _("late report allowed until"), null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["library__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "library"], name="report_one_per_year"
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="report_status_idx")
        ]

    def __str__(self) -> str:
        return f"{self.library} {self.campaign.year}"

    def scope_ids(self) -> Scope:
        return self.library.scope_ids()

    @property
    def is_editable(self) -> bool:
        return self.status in (
            self.Status.NOT_STARTED,
            self.Status.DRAFT,
            self.Status.RETURNED,
        )

    @property
    def is_late(self) -> bool:
        today = timezone.localdate()
        if self.late_allowed_until and today <= self.late_allowed_until:
            return False
        return today > self.campaign.deadline


class Mark(models.TextChoices):
    """What a cell holds instead of (or beside) a plain number."""

    NONE = "", _("value")
    NOT_APPLICABLE = "na", _("not applicable")
    UNKNOWN = "unknown", _("unknown")
    CLOSED = "closed", _("library closed")
    ESTIMATED = "estimated", _("estimated")


class ReportValue(models.Model):
    """One answer. A number may be estimated; marks other than that carry none."""

    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="values",
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.DecimalField(
        _("number"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    text = models.CharField(_("text"), max_length=1000, blank=True)
    mark = models.CharField(_("mark"), max_length=10, choices=Mark.choices, blank=True)

    class Meta:
        verbose_name = _("value")
        verbose_name_plural = _("values")
        constraints = [
            # Covering: the consolidation sums numbers by report from this index
            # alone (an index-only scan), without reading the table
            # (docs/decisions/0006).
            models.UniqueConstraint(
                fields=["report", "indicator"],
                name="value_one_per_cell",
                include=["number", "mark"],
            ),
            models.CheckConstraint(
                condition=Q(mark__in=["", "estimated"]) | Q(number__isnull=True),
                name="value_marks_carry_no_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.number if self.number is not None else self.mark}"


class ReportVersion(models.Model):
    """Every save of a report, kept whole: who, when, and all its values."""

    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    revision = models.PositiveIntegerField(_("revision"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("saved"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=Report.Status.choices)
    values = models.JSONField(_("values"), default=dict)
    # The form's version when this save was made (null: saved before versions).
    form_version = models.PositiveIntegerField(_("form version"), null=True)

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "revision"], name="version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} r{self.revision}"


class Justification(models.Model):
    """A reporter's explanation of a warning. Kept per library, rule and year, so a
    warning explained once stays explained when the report is saved again."""

    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="justifications",
    )
    rule_code = models.CharField(_("check"), max_length=80)
    text = models.CharField(_("explanation"), max_length=1000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written"), auto_now=True)

    class Meta:
        verbose_name = _("justification")
        verbose_name_plural = _("justifications")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "rule_code"], name="justification_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_code}: {self.text[:40]}"


class FieldComment(models.Model):
    """A methodologist's comment on one field of a report, shown to the reporter."""

    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.CharField(_("comment"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class HistoryImport(SpreadsheetImport):
    """Past years from the consolidated spreadsheet a regional library already keeps:
    one row per library, one column per indicator."""

    district = models.ForeignKey(
        "libraries.District",
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    file = models.FileField(_("file"), upload_to="imports/history/")

    class Meta(SpreadsheetImport.Meta):
        verbose_name = _("history import")
        verbose_name_plural = _("history imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.year})"

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.district_id)
