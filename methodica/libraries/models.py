from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from methodica.core.models import SpreadsheetImport
from methodica.core.permissions import Scope, scope_q

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_INTERVAL = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


def parse_hours(text: str) -> list[tuple[int, int]]:
    """Parse ``"09:00-12:00, 13:00-17:30"`` into minute intervals; raise ValueError."""
    intervals = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _INTERVAL.match(part.replace(" ", ""))
        if not match:
            raise ValueError(part)
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise ValueError(part)
        intervals.append((start, end))
    return intervals


class DistrictQuerySet(models.QuerySet["District"]):
    def home_of(self, user: Any) -> District | None:
        """The district a user works for: their district-wide membership's (the first
        district for a superuser), or None for someone scoped below a district."""
        from methodica.core.permissions import memberships_of

        for membership in memberships_of(user):
            if membership.district_id:
                return self.filter(pk=membership.district_id).first()
        return self.order_by("pk").first() if user.is_superuser else None

    def serving(self, user: Any) -> DistrictQuerySet:
        """The districts a user works in at any level: their district, the district
        of their municipality or of their library (every district for a superuser).
        District-wide offers, such as training sessions, are shown to all of them."""
        from methodica.core.permissions import memberships_of

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        q = Q(pk__in=[])
        for membership in memberships_of(user):
            if membership.district_id:
                q |= Q(pk=membership.district_id)
            elif membership.municipality_id:
                q |= Q(municipalities__id=membership.municipality_id)
            elif membership.library_id:
                q |= Q(municipalities__settlements__libraries__id=membership.library_id)
        return self.filter(q).distinct()


class District(models.Model):
    """A district (област); its regional library runs Methodica."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("code"), max_length=10, unique=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.pk)


class MunicipalityQuerySet(models.QuerySet["Municipality"]):
    def visible_to(self, user: Any) -> MunicipalityQuerySet:
        """Municipalities where the user sees at least one library (no join for
        district or municipality scopes, which is most of the time). The boundary,
        which can be large, is left out until asked for."""
        return (
            self.filter(
                scope_q(
                    user,
                    "libraries.library:view",
                    district="district_id",
                    municipality="id",
                    library="libraries__id",
                )
            )
            .distinct()
            .defer("boundary")
        )


class Municipality(models.Model):
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="municipalities",
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=10, unique=True)
    # The municipality's office, which gets a copy of the visit reports.
    email = models.EmailField(_("email"), blank=True)
    # A GeoJSON geometry (Polygon or MultiPolygon, longitude first), for the map of
    # the consolidation; set by ``load_boundaries``, validated by libraries/boundaries.py.
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        help_text=_("The municipality's outline as a GeoJSON geometry, for maps."),
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="municipality_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.district_id, municipality_id=self.pk)


class Settlement(models.Model):
    """A town or village, with its EKATTE code and population (for per-capita figures)."""

    class Kind(models.TextChoices):
        TOWN = "town", _("town")
        VILLAGE = "village", _("village")

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="settlements",
    )
    name = models.CharField(_("name"), max_length=100)
    ekatte = models.CharField(
        _("EKATTE code"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}$", _("An EKATTE code is five digits."))],
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    population = models.PositiveIntegerField(_("population"), default=0)
    population_year = models.PositiveSmallIntegerField(
        _("population as of year"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["municipality", "name"], name="settlement_mun_name_idx"
            )
        ]

    def __str__(self) -> str:
        prefix = _("t.") if self.kind == self.Kind.TOWN else _("v.")
        return f"{prefix} {self.name}"


class LibraryQuerySet(models.QuerySet["Library"]):
    def visible_to(self, user: Any) -> LibraryQuerySet:
        return self.filter(scope_q(user, "libraries.library:view"))

    def with_place(self) -> LibraryQuerySet:
        # A municipality's boundary can be large and no list of libraries needs it.
        return self.select_related("municipality", "settlement").defer(
            "municipality__boundary"
        )


class Library(models.Model):
    """A library of the district's network: municipal, chitalishte, school..."""

    class Type(models.TextChoices):
        REGIONAL = "regional", _("regional")
        MUNICIPAL = "municipal", _("municipal")
        CHITALISHTE = "chitalishte", _("chitalishte")
        SCHOOL = "school", _("school")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        CLOSED = "closed", _("closed")

    name = models.CharField(_("name"), max_length=300)
    library_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="libraries",
    )
    settlement = models.ForeignKey(
        Settlement,
        verbose_name=_("settlement"),
        on_delete=models.PROTECT,
        related_name="libraries",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent library"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branches",
        help_text=_("For a branch: the library it belongs to."),
    )
    chitalishte_number = models.CharField(
        _("chitalishte registration number"),
        max_length=20,
        blank=True,
        help_text=_("The number in the Register of Chitalishta."),
    )
    register_number = models.CharField(
        _("Register of Public Libraries number"),
        max_length=20,
        blank=True,
        help_text=_(
            "The number in the Ministry of Culture's Register of Public Libraries."
        ),
    )
    founded_year = models.PositiveSmallIntegerField(
        _("founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.JSONField(
        _("opening hours"),
        default=dict,
        blank=True,
        help_text=_('Per weekday, e.g. "09:00-12:00, 13:00-17:00".'),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    status_since = models.DateField(_("status since"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        verbose_name = _("library")
        verbose_name_plural = _("libraries")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chitalishte_number"],
                condition=~Q(chitalishte_number=""),
                name="library_unique_chitalishte_number",
            ),
            models.UniqueConstraint(
                fields=["register_number"],
                condition=~Q(register_number=""),
                name="library_unique_register_number",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="library_not_own_parent"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "name"], name="library_mun_name_idx"),
            models.Index(
                fields=["status", "library_type"], name="library_status_type_idx"
            ),
            models.Index(fields=["settlement"], name="library_settlement_idx"),
            models.Index(fields=["name", "id"], name="library_name_idx"),
            # Substring search (icontains is UPPER(name) LIKE UPPER('%...%')).
            GinIndex(
                OpClass(Upper("name"), name="gin_trgm_ops"), name="library_name_trgm"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def scope_ids(self) -> Scope:
        return Scope(
            district_id=self.municipality.district_id,
            municipality_id=self.municipality_id,
            library_id=self.pk,
        )

    def hours_per_week(self) -> Decimal:
        """Opening hours a week, from the weekly schedule; bad entries count as 0."""
        minutes = 0
        for day in WEEKDAYS:
            try:
                minutes += sum(
                    end - start
                    for start, end in parse_hours(self.opening_hours.get(day, ""))
                )
            except ValueError:
                continue
        return (Decimal(minutes) / 60).quantize(Decimal("0.1"))

    def hours_by_day(self) -> list[tuple[str, str]]:
        return [(day, self.opening_hours.get(day, "")) for day in WEEKDAYS]


class LibraryStatusChange(models.Model):
    """One step of a library's status history: active, suspended, closed."""

    library = models.ForeignKey(
        Library,
        verbose_name=_("library"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Library.Status.choices
    )
    effective_date = models.DateField(_("effective from"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.library}: {self.get_status_display()} {self.effective_date}"


class StaffQuerySet(models.QuerySet["StaffMember"]):
    def visible_to(self, user: Any) -> StaffQuerySet:
        return self.filter(
            scope_q(
                user,
                "libraries.staff:view",
                district="library__municipality__district_id",
                municipality="library__municipality_id",
                library="library_id",
            )
        )


class StaffMember(models.Model):
    """A person working at a library. Personal data: see the permissions matrix."""

    library = models.ForeignKey(
        Library,
        verbose_name=_("library"),
        on_delete=models.CASCADE,
        related_name="staff",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200)
    fte = models.DecimalField(
        _("FTE"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[
            MinValueValidator(Decimal("0.05")),
            MaxValueValidator(Decimal("1.50")),
        ],
        help_text=_("Full-time equivalent: 1 is full time, 0.5 half time."),
    )
    has_library_qualification = models.BooleanField(
        _("library qualification"),
        default=False,
        help_text=_("Holds a degree or qualification in library science."),
    )
    education = models.CharField(_("education"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    started_on = models.DateField(_("started"), null=True, blank=True)
    left_on = models.DateField(_("left"), null=True, blank=True)
    # The person's own account, when they have one: a reporter then sees their
    # training, answers their surveys and downloads their certificates.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_records",
    )

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["full_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fte__gt=0) & Q(fte__lte=Decimal("1.5")),
                name="staff_fte_range",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def scope_ids(self) -> Scope:
        return self.library.scope_ids()

    @property
    def is_current(self) -> bool:
        return self.left_on is None or self.left_on > timezone.localdate()


class RegisterImport(SpreadsheetImport):
    """An uploaded register spreadsheet on its way through mapping, preview and apply."""

    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.CASCADE
    )
    file = models.FileField(_("file"), upload_to="imports/register/")
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta(SpreadsheetImport.Meta):
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.district_id)
