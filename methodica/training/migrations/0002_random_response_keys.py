"""Responses and answers get random (UUID4) keys instead of a sequence.

A sequence orders the answers, and beside an access log (who posted when) tells
whose answers are whose. PostgreSQL cannot cast a bigint key to a uuid, so the two
tables are made anew: this runs before the feedback surveys are released, while the
tables hold only test answers, which are dropped.
"""

import uuid

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="Answer"),
        migrations.DeleteModel(name="Response"),
        migrations.CreateModel(
            name="Response",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "submitted_on",
                    models.DateField(
                        default=django.utils.timezone.localdate,
                        verbose_name="answered on",
                    ),
                ),
                (
                    "enrolment",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="named_response",
                        to="training.enrolment",
                        verbose_name="enrolment",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="responses",
                        to="training.session",
                        verbose_name="session",
                    ),
                ),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="responses",
                        to="training.survey",
                        verbose_name="survey",
                    ),
                ),
            ],
            options={
                "verbose_name": "survey response",
                "verbose_name_plural": "survey responses",
                "ordering": ["submitted_on", "?"],
            },
        ),
        migrations.CreateModel(
            name="Answer",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "score",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="score",
                    ),
                ),
                ("text", models.TextField(blank=True, verbose_name="text")),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="training.question",
                        verbose_name="question",
                    ),
                ),
                (
                    "response",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="training.response",
                        verbose_name="response",
                    ),
                ),
            ],
            options={
                "verbose_name": "answer",
                "verbose_name_plural": "answers",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("response", "question"),
                        name="answer_once_per_question",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("score__isnull", True),
                            models.Q(("score__gte", 1), ("score__lte", 5)),
                            _connector="OR",
                        ),
                        name="answer_score_range",
                    ),
                ],
            },
        ),
    ]
