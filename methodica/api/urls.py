from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import AnonRateThrottle

from methodica.api import certificates, reports, support, views
from methodica.api import training as training_api


class _TokenThrottle(AnonRateThrottle):
    scope = "token"


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled)."""

    throttle_classes = [_TokenThrottle]


router = DefaultRouter()
router.register("libraries", views.LibraryViewSet, basename="library")
router.register(
    r"libraries/(?P<library_pk>\d+)/staff", views.StaffViewSet, basename="staff"
)
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("settlements", views.SettlementViewSet, basename="settlement")
router.register("reports", reports.ReportViewSet, basename="report")
router.register("consultations", support.ConsultationViewSet, basename="consultation")
router.register("visits", support.VisitViewSet, basename="visit")
router.register(
    "recommendations", support.RecommendationViewSet, basename="recommendation"
)
router.register(
    "training/sessions", training_api.SessionViewSet, basename="training-session"
)
router.register(
    "training/enrolments",
    training_api.EnrolmentViewSet,
    basename="training-enrolment",
)

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("open-data/", reports.OpenDataIndexView.as_view(), name="open_data_index"),
    path("open-data/<int:year>/", reports.OpenDataView.as_view(), name="open_data"),
    path(
        "certificates/<str:code>/",
        certificates.CertificateVerificationView.as_view(),
        name="certificate_verify",
    ),
    *router.urls,
]
