"""Methodological help over REST: consultations, visits, recommendations.

The lists are ``visible_to`` the user; a consultation is created through the
same service as the page, so every check and the audit entry are the same.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from rest_framework import exceptions, mixins, serializers, viewsets

from methodica.api.views import _translate
from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user
from methodica.libraries.models import District, Library
from methodica.support import services
from methodica.support.models import (
    Consultation,
    Finding,
    Recommendation,
    Topic,
    Visit,
)
from methodica.support.queries import ConsultationFilter


class ConsultationSerializer(serializers.ModelSerializer):
    library = serializers.PrimaryKeyRelatedField(
        queryset=Library.objects.all(), required=False, allow_null=True
    )
    topic = serializers.PrimaryKeyRelatedField(
        queryset=Topic.objects.all(), required=False, allow_null=True
    )
    channel = serializers.ChoiceField(
        choices=[c for c in Consultation.Channel.choices if c[0] != "system"]
    )
    minutes = serializers.IntegerField(required=False, default=0)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "given_on",
            "library",
            "person",
            "channel",
            "topic",
            "question",
            "answer",
            "minutes",
            "read_level",
            "follow_up",
            "follow_up_done_on",
            "origin",
            "status",
            "owner",
            "created_at",
            "answered_at",
        ]
        read_only_fields = [
            "follow_up_done_on",
            "origin",
            "status",
            "owner",
            "created_at",
            "answered_at",
        ]
        # Validation happens once, in the service, with the same messages as the page.
        validators: list = []
        extra_kwargs = {"given_on": {"required": False}}


class ConsultationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Consultations given to the libraries the user may see."""

    serializer_class = ConsultationSerializer

    def get_queryset(self) -> Any:
        queryset = Consultation.objects.visible_to(self.request.user).select_related(
            "topic"
        )
        if self.action == "list":
            return ConsultationFilter.from_params(self.request.query_params).apply(
                queryset
            )
        return queryset

    def get_object(self) -> Consultation:
        return get_object_for_user(
            self.request.user,
            Consultation.objects.select_related("library__municipality"),
            "support.consultation:view",
            pk=self.kwargs["pk"],
        )

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        library = data.get("library")
        if library is not None:
            district = library.municipality.district
        else:
            district = District.objects.serving(self.request.user).first()
        if district is None:
            raise exceptions.PermissionDenied()
        try:
            serializer.instance = services.log_consultation(
                actor=self.request.user, district=district, data=data
            )
        except (PermissionDenied, DomainError) as exc:
            raise _translate(exc) from exc


class FindingSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")

    class Meta:
        model = Finding
        fields = ["item", "item_name", "rating", "note"]


class RecommendationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = [
            "id",
            "visit",
            "library",
            "text",
            "due_on",
            "status",
            "progress_note",
            "closed_on",
            "is_overdue",
        ]


class VisitSerializer(serializers.ModelSerializer):
    findings = FindingSerializer(many=True, read_only=True)
    recommendations = RecommendationSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "library",
            "planned_for",
            "visited_on",
            "status",
            "methodologist",
            "purpose",
            "met_with",
            "summary",
            "report_sent_at",
            "findings",
            "recommendations",
        ]


class VisitViewSet(viewsets.ReadOnlyModelViewSet):
    """Visits to the libraries the user may see, with findings and recommendations."""

    serializer_class = VisitSerializer

    def get_queryset(self) -> Any:
        return Visit.objects.visible_to(self.request.user).prefetch_related(
            "findings__item", "recommendations"
        )


class RecommendationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Recommendations of visits (``?open=1``: only those still open)."""

    serializer_class = RecommendationSerializer

    def get_queryset(self) -> Any:
        queryset = Recommendation.objects.visible_to(self.request.user)
        if self.request.query_params.get("open") == "1":
            queryset = queryset.still_open()
        return queryset
