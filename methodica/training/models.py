"""Training the network's librarians: programmes, courses, sessions and what follows.

A *programme* ("Basic library work for librarians without professional training")
holds *courses* (modules, academic hours, learning outcomes); a course is given in
*sessions* (dates, place or link, trainer, capacity). Librarians are the register's
staff records (``libraries.StaffMember``): they are invited, enrol (or wait), attend,
answer a feedback survey and receive a certificate. Hours are academic hours of 45
minutes, as continuing education counts them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from methodica.core.permissions import Scope, scope_q
from methodica.core.texts import in_language


class Programme(models.Model):
    """A training programme of the district, made of courses."""

    district = models.ForeignKey(
        "libraries.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="training_programmes",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("intended for"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.district_id)


class Course(models.Model):
    """A course of a programme: its modules, hours and learning outcomes."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    outcomes = models.TextField(
        _("learning outcomes"),
        blank=True,
        help_text=_("One outcome a line: what a participant can do afterwards."),
    )
    hours = models.DecimalField(
        _("academic hours"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("8.0"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(500)],
        help_text=_("An academic hour is 45 minutes."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["programme_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0), name="course_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.programme.district_id)

    def outcome_list(self) -> list[str]:
        return [line.strip() for line in self.outcomes.splitlines() if line.strip()]


class Module(models.Model):
    """One module of a course."""

    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="modules",
    )
    title = models.CharField(_("title"), max_length=300)
    hours = models.DecimalField(
        _("academic hours"), max_digits=5, decimal_places=1, default=Decimal("2.0")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Survey(models.Model):
    """An editable feedback questionnaire: Likert items and free text."""

    district = models.ForeignKey(
        "libraries.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="training_surveys",
    )
    title = models.CharField(_("title"), max_length=300)
    anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_("Answers of an anonymous survey can never be traced to a person."),
    )
    is_default = models.BooleanField(_("used by default"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback survey")
        verbose_name_plural = _("feedback surveys")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(is_default=True),
                name="survey_one_default_per_district",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.district_id)


class Question(models.Model):
    """One item of a survey."""

    class Kind(models.TextChoices):
        LIKERT = "likert", _("agreement, 1 to 5")
        TEXT = "text", _("free text")

    survey = models.ForeignKey(
        Survey,
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    texts = models.JSONField(_("question"), default=dict)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return in_language(self.texts)


class SessionQuerySet(models.QuerySet["Session"]):
    def visible_to(self, user: Any) -> SessionQuerySet:
        """Sessions are offered district-wide: everyone working in the district
        sees them (a library's reporter to enrol, methodologists to run them)."""
        from methodica.libraries.models import District

        return self.filter(
            course__programme__district__in=District.objects.serving(user)
        )

    def upcoming(self) -> SessionQuerySet:
        return self.filter(
            starts_at__gt=timezone.now(), status=Session.Status.SCHEDULED
        )


class Session(models.Model):
    """One run of a course: when, where (or the online link), who trains, how many."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled")

    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    all_day = models.BooleanField(_("all day"), default=False)
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    trainer = models.CharField(_("trainer"), max_length=200)
    capacity = models.PositiveIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    hours = models.DecimalField(
        _("academic hours"),
        max_digits=5,
        decimal_places=1,
        help_text=_("Credited to each participant who attended."),
    )
    survey = models.ForeignKey(
        Survey,
        verbose_name=_("feedback survey"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    # iCalendar: a stable UID and a SEQUENCE that grows on every change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    feedback_sent_at = models.DateTimeField(
        _("feedback survey sent"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0), name="session_hours_positive"
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="session_starts")]

    def __str__(self) -> str:
        return f"{self.course}: {timezone.localtime(self.starts_at):%Y-%m-%d}"

    def scope_ids(self) -> Scope:
        return Scope(district_id=self.course.programme.district_id)

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()


class Invitation(models.Model):
    """A librarian invited to a session, as one of a chosen target group."""

    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    staff = models.ForeignKey(
        "libraries.StaffMember",
        verbose_name=_("librarian"),
        on_delete=models.CASCADE,
        related_name="training_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["staff__full_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "staff"], name="training_invitation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} → {self.session}"

    def scope_ids(self) -> Scope:
        return self.staff.scope_ids()


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def visible_to(self, user: Any) -> EnrolmentQuerySet:
        """Enrolments of librarians whose training record the user may read."""
        return self.filter(
            scope_q(
                user,
                "training.record:view",
                district="staff__library__municipality__district_id",
                municipality="staff__library__municipality_id",
                library="staff__library_id",
            )
        )

    def holding_a_place(self) -> EnrolmentQuerySet:
        return self.filter(status=Enrolment.Status.ENROLLED)


class Enrolment(models.Model):
    """A librarian's place in a session, or their turn on its waiting list.

    The waiting list is ordered by ``requested_at``; when a place frees up, the
    first one waiting is promoted (see ``training.services``).
    """

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("enrolled")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    staff = models.ForeignKey(
        "libraries.StaffMember",
        verbose_name=_("librarian"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    promoted_at = models.DateTimeField(
        _("moved from the waiting list"), null=True, blank=True
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendance marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "staff"], name="enrolment_once_per_session"
            ),
            models.CheckConstraint(
                condition=Q(attended__isnull=True) | Q(status="enrolled"),
                name="enrolment_attendance_needs_a_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} → {self.session}"

    def scope_ids(self) -> Scope:
        return self.staff.scope_ids()


class SurveyTicket(models.Model):
    """The right of one participant to answer a session's survey once.

    For an anonymous survey the ticket only knows *that* it was used, never which
    response it gave: a :class:`Response` has no link back to the ticket, the
    enrolment or the person, and no time finer than the day, so that the order of
    answers cannot be matched to the order of tickets.
    """

    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="survey_ticket",
    )
    # Only a hash of the emailed token is kept.
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    used = models.BooleanField(_("answered"), default=False)

    class Meta:
        verbose_name = _("survey ticket")
        verbose_name_plural = _("survey tickets")

    def __str__(self) -> str:
        return f"{self.enrolment}"


class Response(models.Model):
    """One filled-in survey. Anonymous: no person, no ticket, only the day."""

    # A random key, not a sequence: sequential ids would order the answers, and
    # beside an access log (who posted when) tell whose answers are whose.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    survey = models.ForeignKey(
        Survey,
        verbose_name=_("survey"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    submitted_on = models.DateField(_("answered on"), default=timezone.localdate)
    # Set only when the survey is not anonymous.
    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="named_response",
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        # Not by id: the order of rows must not hint at who answered when.
        ordering = ["submitted_on", "?"]

    def __str__(self) -> str:
        return f"{self.session}: {self.submitted_on}"


class Answer(models.Model):
    """The answer to one question of a response."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        Response,
        verbose_name=_("response"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.PROTECT,
        related_name="answers",
    )
    score = models.PositiveSmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_once_per_question"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="answer_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.score or self.text[:40]}"


class Certificate(models.Model):
    """A certificate of attendance, verifiable by its code on a public page.

    What it certifies is copied at issue, so that a later edit of the course or the
    staff record does not change a certificate already handed out.
    """

    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    holder_name = models.CharField(_("holder"), max_length=200)
    course_title = models.CharField(_("course"), max_length=300)
    programme_title = models.CharField(_("programme"), max_length=300)
    hours = models.DecimalField(_("academic hours"), max_digits=5, decimal_places=1)
    session_date = models.DateField(_("date of the session"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("reason for revoking"), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "id"]

    def __str__(self) -> str:
        return self.code

    def scope_ids(self) -> Scope:
        return self.enrolment.scope_ids()

    @property
    def is_valid(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.valid_until is None or self.valid_until >= timezone.localdate()
