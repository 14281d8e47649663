from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from methodica.heritage import views as heritage_views
from methodica.reporting.urls import open_data_urlpatterns

urlpatterns = [
    path("", include("methodica.core.urls")),
    path("accounts/", include("methodica.accounts.urls")),
    path("libraries/", include("methodica.libraries.urls")),
    path("reports/", include("methodica.reporting.urls")),
    path("open-data/", include(open_data_urlpatterns)),
    path("help/", include("methodica.support.urls")),
    path("training/", include("methodica.training.urls")),
    path("verify/", include("methodica.training.verify_urls")),
    path("activity/", include("methodica.activity.urls")),
    path("heritage/", include("methodica.heritage.urls")),
    path("oai", heritage_views.oai_endpoint, name="oai"),
    path("iiif/", include("methodica.heritage.iiif_urls")),
    path("api/v1/", include("methodica.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Local-history masters and derivatives live under MEDIA_ROOT/heritage (so that
    # backups hold them) but are served only through the views that check access:
    # the plain-file route never matches that folder.
    urlpatterns += [
        re_path(
            r"^media/(?P<path>(?!heritage/).+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
