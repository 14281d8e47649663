"""The register over REST: the same services, filters and permissions as the UI."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from methodica.api import serializers
from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user, has_perm, scope_q
from methodica.libraries import services
from methodica.libraries.models import Library, Municipality, Settlement, StaffMember
from methodica.libraries.queries import SORTS, RegisterFilter


def _translate(exc: Exception) -> exceptions.APIException:
    """A service's refusal as the matching HTTP error."""
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, ValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail)
    assert isinstance(exc, DomainError)
    return exceptions.ValidationError({exc.field or "non_field_errors": [exc.message]})


REGISTER_PARAMETERS = [
    OpenApiParameter(
        "q", str, description="Search in name, settlement and registration numbers."
    ),
    OpenApiParameter("municipality", int),
    OpenApiParameter("type", str, enum=Library.Type.values),
    OpenApiParameter("status", str, enum=Library.Status.values),
    OpenApiParameter("sort", str, enum=list(SORTS)),
]


@extend_schema(parameters=REGISTER_PARAMETERS)
class LibraryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = serializers.LibrarySerializer

    def get_queryset(self) -> Any:
        queryset = Library.objects.visible_to(self.request.user).with_place()
        if self.action == "list":
            return RegisterFilter.from_params(self.request.query_params).apply(queryset)
        return queryset

    def get_object(self) -> Library:
        return get_object_for_user(
            self.request.user,
            Library.objects.with_place(),
            "libraries.library:view",
            pk=self.kwargs["pk"],
        )

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        municipality = data.pop("municipality", None)
        if municipality is None:
            raise exceptions.ValidationError(
                {"municipality": ["This field is required."]}
            )
        try:
            serializer.instance = services.create_library(
                actor=self.request.user, municipality=municipality, data=data
            )
        except (PermissionDenied, ValidationError, DomainError) as exc:
            raise _translate(exc) from exc

    def perform_update(self, serializer: Any) -> None:
        try:
            serializer.instance = services.update_library(
                library=serializer.instance,
                actor=self.request.user,
                data=dict(serializer.validated_data),
            )
        except (PermissionDenied, ValidationError, DomainError) as exc:
            raise _translate(exc) from exc

    @extend_schema(
        request=serializers.StatusChangeSerializer,
        responses=serializers.LibrarySerializer,
    )
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str) -> Response:
        library = self.get_object()
        payload = serializers.StatusChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            library = services.change_library_status(
                library=library, actor=request.user, **payload.validated_data
            )
        except (PermissionDenied, DomainError) as exc:
            raise _translate(exc) from exc
        return Response(serializers.LibrarySerializer(library).data)


class StaffViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A library's staff: personal data, for the library's own users and methodologists."""

    serializer_class = serializers.StaffSerializer
    queryset = StaffMember.objects.none()

    def _library(self) -> Library:
        library = get_object_for_user(
            self.request.user,
            Library.objects.with_place(),
            "libraries.library:view",
            pk=self.kwargs["library_pk"],
        )
        if not has_perm(self.request.user, "libraries.staff:view", library):
            raise exceptions.NotFound()
        return library

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return StaffMember.objects.none()
        return StaffMember.objects.visible_to(self.request.user).filter(
            library=self._library()
        )

    def get_object(self) -> StaffMember:
        return get_object_or_404(
            self.get_queryset().select_related("library__municipality"),
            pk=self.kwargs["pk"],
        )

    def perform_create(self, serializer: Any) -> None:
        try:
            serializer.instance = services.add_staff_member(
                library=self._library(),
                actor=self.request.user,
                data=dict(serializer.validated_data),
            )
        except (PermissionDenied, ValidationError, DomainError) as exc:
            raise _translate(exc) from exc

    def perform_update(self, serializer: Any) -> None:
        try:
            serializer.instance = services.update_staff_member(
                member=serializer.instance,
                actor=self.request.user,
                data=dict(serializer.validated_data),
            )
        except (PermissionDenied, ValidationError, DomainError) as exc:
            raise _translate(exc) from exc

    def perform_destroy(self, instance: StaffMember) -> None:
        try:
            services.remove_staff_member(member=instance, actor=self.request.user)
        except PermissionDenied as exc:
            raise _translate(exc) from exc


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.MunicipalitySerializer

    def get_queryset(self) -> Any:
        visible = Library.objects.visible_to(self.request.user).values(
            "municipality_id"
        )
        return Municipality.objects.filter(pk__in=visible).order_by("name")


class SettlementViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.SettlementSerializer

    def get_queryset(self) -> Any:
        user = self.request.user
        return (
            Settlement.objects.filter(
                scope_q(
                    user,
                    "libraries.library:view",
                    district="municipality__district_id",
                    municipality="municipality_id",
                    library="libraries__id",
                )
            )
            .distinct()
            .order_by("name", "id")
        )
