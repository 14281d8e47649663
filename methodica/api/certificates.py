"""Public verification of a certificate: the same minimum the /verify/ page shows.

No sign-in. An unknown, forged or mistyped code is a 404 whose ``detail`` says
which it was (a check character that does not match points at a typo).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from methodica.core.errors import DomainError
from methodica.training import certificates


class CertificateVerificationSerializer(serializers.Serializer):
    code = serializers.CharField()
    holder_name = serializers.CharField()
    course_title = serializers.CharField()
    session_date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    issuer = serializers.CharField()
    status = serializers.ChoiceField(choices=["valid", "revoked", "expired"])


class CertificateVerificationView(APIView):
    """Is this certificate genuine, and still valid?"""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={
            200: CertificateVerificationSerializer,
            404: OpenApiResponse(description="No certificate has this code."),
        }
    )
    def get(self, request: Request, code: str) -> Response:
        try:
            view = certificates.public_view(certificates.find(code))
        except DomainError as exc:
            return Response({"detail": exc.message}, status=404)
        data = CertificateVerificationSerializer(
            {
                "code": view.code,
                "holder_name": view.holder_name,
                "course_title": view.course_title,
                "session_date": view.session_date,
                "hours": view.hours,
                "issuer": view.issuer,
                "status": view.status,
            }
        ).data
        response = Response(data)
        response["X-Robots-Tag"] = "noindex"
        return response
