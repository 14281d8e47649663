from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def for_object(self, obj: models.Model) -> AuditEntryQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class AuditEntry(models.Model):
    """One change to data: who, when, what, with the values before and after.

    Rows are append-only. The model refuses updates and deletes, and a database
    trigger (migration 0002) refuses them too, whatever the client.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField(_("who (as recorded)"), max_length=200)
    action = models.CharField(_("action"), max_length=100)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    # The library the object belongs to, when it belongs to one: lets a
    # library's timeline and history include changes to its staff and reports.
    library_id = models.BigIntegerField(_("library"), null=True, blank=True)
    # The district, so that a district's readers see entries about no library
    # (imports, invitations) of their own district only.
    district_id = models.BigIntegerField(_("district"), null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-at"], name="audit_object_idx"
            ),
            models.Index(fields=["library_id", "-at"], name="audit_library_idx"),
            models.Index(fields=["district_id", "-at"], name="audit_district_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit entries cannot be deleted.")


class WorkerHeartbeat(models.Model):
    """A background worker's last sign of life, shown on /healthz."""

    worker_id = models.CharField(_("worker"), max_length=100, unique=True)
    hostname = models.CharField(_("host"), max_length=200)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.last_seen:%H:%M:%S})"


class SpreadsheetImport(models.Model):
    """An uploaded spreadsheet on its way through column mapping, preview and apply.

    Subclasses add where it goes (a district) and its file field's folder; the
    state machine is the same: uploaded, previewed (a preview is stored), applied.
    """

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        PREVIEWED = "previewed", _("previewed")
        APPLIED = "applied", _("applied")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    original_name = models.CharField(_("file name"), max_length=255)
    headers = models.JSONField(_("columns"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict)
    preview = models.JSONField(_("preview"), default=dict)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.UPLOADED
    )

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    def keep(self, upload: Any, *, actor: Any, action: str) -> None:
        """Store the uploaded file with this record and audit the upload."""
        from methodica.core.audit import audit

        upload.seek(0)
        self.created_by, self.original_name = actor, upload.name[:255]
        self.file.save(upload.name, upload, save=False)  # type: ignore[attr-defined]
        self.save()
        audit(
            actor=actor,
            action=action,
            obj=self,
            changes={"file": {"before": None, "after": self.original_name}},
        )


class PeriodicRun(models.Model):
    """When a periodic job (see ``core/schedule.py``) was last put on the queue.

    Every worker ticks; the conditional update of this row decides which one
    enqueues a job that is due, so two workers never enqueue it twice.
    """

    name = models.CharField(_("job"), max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued"))

    class Meta:
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")

    def __str__(self) -> str:
        return self.name
