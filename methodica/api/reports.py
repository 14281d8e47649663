"""Annual reports over REST: the same services and permissions as the pages, and the
open data of closed years (accepted totals only, no personal data)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user
from methodica.libraries.queries import parse_id
from methodica.reporting import open_data, services
from methodica.reporting.consolidation import consolidate
from methodica.reporting.models import Campaign, Report, ReportValue


class ReportSerializer(serializers.ModelSerializer):
    library_name = serializers.CharField(source="library.name", read_only=True)
    year = serializers.IntegerField(source="campaign.form.year", read_only=True)
    values = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "library",
            "library_name",
            "year",
            "status",
            "revision",
            "completeness",
            "submitted_at",
            "accepted_at",
            "values",
        ]
        read_only_fields = fields

    def get_values(self, report: Report) -> dict[str, dict[str, Any]]:
        if not self.context.get("with_values"):
            return {}
        rows = ReportValue.objects.filter(report=report).values_list(
            "indicator__code", "number", "text", "mark"
        )
        return {
            code: {
                "value": format(number.normalize(), "f")
                if number is not None
                else text,
                "mark": mark,
            }
            for code, number, text, mark in rows
        }


class CellSerializer(serializers.Serializer):
    value = serializers.CharField(allow_blank=True, required=False, default="")
    mark = serializers.CharField(allow_blank=True, required=False, default="")


class SaveSerializer(serializers.Serializer):
    revision = serializers.IntegerField(min_value=0)
    values = serializers.DictField(child=CellSerializer())


class SubmitSerializer(serializers.Serializer):
    justifications = serializers.DictField(
        child=serializers.CharField(max_length=1000), required=False, default=dict
    )


class ReturnSerializer(serializers.Serializer):
    comments = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        required=False,
        default=dict,
    )
    general = serializers.CharField(
        max_length=2000, required=False, default="", allow_blank=True
    )


def _refusal(exc: Exception) -> exceptions.APIException:
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    assert isinstance(exc, DomainError)
    return exceptions.ValidationError({exc.field or "non_field_errors": [exc.message]})


@extend_schema(
    parameters=[OpenApiParameter("year", int), OpenApiParameter("status", str)]
)
class ReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A library's annual reports: its own library's for a reporter, all for methodologists."""

    serializer_class = ReportSerializer
    lookup_value_regex = r"\d+"  # /reports/abc/ is a 404, not a crash

    def get_queryset(self) -> Any:
        reports = (
            Report.objects.visible_to(self.request.user)
            .select_related("campaign__form", "library")
            .order_by("-campaign__form__year", "library__name")
        )
        year = parse_id(self.request.query_params.get("year", ""))
        if year:
            reports = reports.filter(campaign__form__year=year)
        status = self.request.query_params.get("status", "")
        if status in Report.Status.values:
            reports = reports.filter(status=status)
        return reports

    def get_object(self) -> Report:
        return get_object_for_user(
            self.request.user,
            Report.objects.select_related("campaign__form", "library"),
            "reporting.report:view",
            pk=self.kwargs["pk"],
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "with_values": self.action != "list",
        }

    @extend_schema(
        request=SaveSerializer,
        responses=inline_serializer(
            "SavedReport",
            {"report": ReportSerializer(), "findings": serializers.ListField()},
        ),
    )
    @action(detail=True, methods=["put"])
    def values(self, request: Request, pk: str) -> Response:
        """Save values (all or nothing) and get the checks back."""
        report = self.get_object()
        payload = SaveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        cells = {
            code: (cell["value"], cell["mark"])
            for code, cell in payload.validated_data["values"].items()
        }
        try:
            with transaction.atomic():
                saved, findings, errors = services.save_report(
                    report=report,
                    actor=request.user,
                    cells=cells,
                    revision=payload.validated_data["revision"],
                )
                if errors:
                    raise exceptions.ValidationError({"values": errors})
        except (PermissionDenied, DomainError) as exc:
            raise _refusal(exc) from exc
        return Response(
            {
                "report": ReportSerializer(saved, context={"with_values": True}).data,
                "findings": [
                    {
                        "code": f.code,
                        "severity": f.severity,
                        "message": f.message,
                        "indicators": list(f.indicators),
                        "detail": f.detail,
                    }
                    for f in findings
                ],
            }
        )

    @extend_schema(request=SubmitSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        report = self.get_object()
        payload = SubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            submitted = services.submit_report(
                report=report,
                actor=request.user,
                justifications=payload.validated_data["justifications"],
            )
        except (PermissionDenied, DomainError) as exc:
            raise _refusal(exc) from exc
        return Response(ReportSerializer(submitted).data)

    @extend_schema(request=ReturnSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_library(self, request: Request, pk: str) -> Response:
        """Send a submitted report back to its library with comments on fields
        (by indicator code) and overall (methodologists)."""
        report = self.get_object()
        payload = ReturnSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            returned = services.return_report(
                report=report,
                actor=request.user,
                comments=payload.validated_data["comments"],
                general=payload.validated_data["general"],
            )
        except (PermissionDenied, DomainError) as exc:
            raise _refusal(exc) from exc
        return Response(ReportSerializer(returned).data)

    @extend_schema(request=None, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accept a submitted report: it is locked (methodologists)."""
        report = self.get_object()
        try:
            accepted = services.accept_report(report=report, actor=request.user)
        except (PermissionDenied, DomainError) as exc:
            raise _refusal(exc) from exc
        return Response(ReportSerializer(accepted).data)


def _open_rows(year: int, district: str = "") -> list[dict[str, Any]]:
    campaigns = Campaign.objects.select_related("form__district").filter(
        form__year=year, state=Campaign.State.CLOSED
    )
    if district:
        campaigns = campaigns.filter(form__district__code__iexact=district)
    campaign = campaigns.order_by("form__district__name").first()
    if campaign is None:
        raise exceptions.NotFound()
    result = consolidate(campaign)
    rows = []
    for place_id, place in [(None, campaign.form.district.name)] + [
        (m.pk, m.name) for m in result.municipalities
    ]:
        for indicator in result.indicators:
            total = result.total(place_id, indicator.code)
            hidden = open_data.is_disclosive(
                indicator, total, district=place_id is None
            )
            rows.append(
                {
                    "year": year,
                    "area": place,
                    "indicator": indicator.code,
                    "unit": indicator.unit,
                    "total": str(total.value)
                    if total.value is not None and not hidden
                    else None,
                    "suppressed": hidden,
                    "reports_with_value": total.reported,
                    "reports_expected": total.expected,
                }
            )
    return rows


class OpenDataView(APIView):
    """Accepted totals of a closed year by municipality and for the district: open data,
    no personal data. ``?district=`` (a district code) picks the district when several
    share the installation; ``?file=csv`` for a file."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("file", str, enum=["csv"]),
            OpenApiParameter("district", str, description="District code, e.g. SZR"),
        ],
        responses=inline_serializer(
            "OpenDataTotal",
            {
                "year": serializers.IntegerField(),
                "area": serializers.CharField(help_text="The district or municipality"),
                "indicator": serializers.CharField(help_text="The indicator's code"),
                "unit": serializers.CharField(),
                "total": serializers.CharField(allow_null=True),
                "suppressed": serializers.BooleanField(),
                "reports_with_value": serializers.IntegerField(),
                "reports_expected": serializers.IntegerField(),
            },
            many=True,
        ),
    )
    def get(self, request: Request, year: int) -> Any:
        rows = _open_rows(year, request.query_params.get("district", "")[:10])
        if request.query_params.get("file") == "csv":
            response = HttpResponse(
                open_data.render_csv(rows, list(rows[0]) if rows else ["year"]),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="library-statistics-{year}.csv"'
            )
            return response
        return Response(rows)


_OpenDataYear = inline_serializer(
    "OpenDataYear",
    {
        "district": serializers.CharField(help_text="District code"),
        "district_name": serializers.CharField(),
        "year": serializers.IntegerField(),
        "reports_accepted": serializers.IntegerField(),
        "reports_expected": serializers.IntegerField(),
        "licence": serializers.CharField(),
        "api": serializers.URLField(help_text="This year's totals as JSON"),
        "files": inline_serializer(
            "OpenDataFiles",
            {
                kind.key: serializers.URLField(help_text=kind.label)
                for kind in open_data.KINDS
            },
        ),
    },
    many=True,
)


class OpenDataIndexView(APIView):
    """The closed years of every district, with the addresses of their open-data
    files (CSV, JSON, XLSX and the data dictionary) and of their totals here."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses=_OpenDataYear)
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "district": entry.district.code,
                    "district_name": entry.district.name,
                    "year": entry.year,
                    "reports_accepted": entry.campaign.reports_accepted,
                    "reports_expected": entry.campaign.reports_expected,
                    "licence": open_data.LICENCE,
                    "api": request.build_absolute_uri(entry.api_url),
                    "files": {
                        file.kind.key: request.build_absolute_uri(file.url)
                        for file in entry.files
                    },
                }
                for entry in open_data.catalogue()
            ]
        )
