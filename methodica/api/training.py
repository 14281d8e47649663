"""Training over REST: the sessions on offer, and enrolments through the same
services and permissions as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from rest_framework import exceptions, mixins, serializers, viewsets

from methodica.api.views import _translate
from methodica.core.errors import DomainError
from methodica.core.permissions import has_perm
from methodica.libraries.models import StaffMember
from methodica.training import services
from methodica.training.models import Enrolment, Session


class SessionSerializer(serializers.ModelSerializer):
    course_title = serializers.CharField(source="course.title", read_only=True)
    programme_title = serializers.CharField(
        source="course.programme.title", read_only=True
    )
    places_left = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "course",
            "course_title",
            "programme_title",
            "starts_at",
            "ends_at",
            "all_day",
            "place",
            "online_url",
            "trainer",
            "capacity",
            "places_left",
            "hours",
            "status",
            "sequence",
        ]
        read_only_fields = fields

    def get_places_left(self, session: Session) -> int:
        taken = getattr(session, "taken", None)
        if taken is None:
            return services.places_left(session)
        return max(session.capacity - taken, 0)


class EnrolmentSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.full_name", read_only=True)
    library = serializers.IntegerField(source="staff.library_id", read_only=True)
    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.all())
    staff = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.all())

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "session",
            "staff",
            "staff_name",
            "library",
            "status",
            "requested_at",
            "attended",
        ]
        read_only_fields = ["status", "requested_at", "attended"]
        # A second enrolment is refused by the service, with its own message.
        validators: list = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        # Only what the user may see can be named: anything else reads as unknown.
        self.fields["session"].queryset = Session.objects.visible_to(user)
        self.fields["staff"].queryset = StaffMember.objects.visible_to(user)


class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    """Training sessions on offer in the user's district."""

    serializer_class = SessionSerializer
    queryset = Session.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        if not has_perm(self.request.user, "training.session:view"):
            return Session.objects.none()
        return (
            Session.objects.visible_to(self.request.user)
            .select_related("course__programme")
            .annotate(
                taken=Count("enrolments", filter=Q(enrolments__status="enrolled"))
            )
            .order_by("starts_at", "id")
        )


class EnrolmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Enrolments of the librarians whose record the user may read. POST enrols
    (or puts on the waiting list); DELETE cancels and promotes the first waiting."""

    serializer_class = EnrolmentSerializer
    queryset = Enrolment.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Enrolment.objects.none()
        return (
            Enrolment.objects.visible_to(self.request.user)
            .select_related("staff__library", "session__course__programme")
            .order_by("requested_at", "id")
        )

    def get_object(self) -> Enrolment:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        try:
            serializer.instance = services.enrol(
                session=data["session"], staff=data["staff"], actor=self.request.user
            )
        except PermissionDenied as exc:
            raise exceptions.NotFound() from exc
        except DomainError as exc:
            raise _translate(exc) from exc

    def perform_destroy(self, instance: Enrolment) -> None:
        try:
            services.cancel_enrolment(enrolment=instance, actor=self.request.user)
        except PermissionDenied as exc:
            raise exceptions.NotFound() from exc
        except DomainError as exc:
            raise _translate(exc) from exc
