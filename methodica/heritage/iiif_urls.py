"""The IIIF endpoints, mounted at ``/iiif/`` (namespace ``iiif``)."""

from django.urls import path, re_path

from methodica.heritage import iiif_views

app_name = "iiif"

urlpatterns = [
    path("image/<int:pk>", iiif_views.image_base, name="image_base"),
    path("image/<int:pk>/info.json", iiif_views.image_info, name="image_info"),
    re_path(
        r"^image/(?P<pk>[0-9]+)/(?P<region>[^/]+)/(?P<size>[^/]+)/"
        r"(?P<rotation>[^/]+)/(?P<quality>[a-z]+)\.(?P<fmt>[a-z0-9]+)$",
        iiif_views.image,
        name="image",
    ),
    path("collection/<int:pk>.json", iiif_views.collection, name="collection"),
    path("<int:pk>/manifest.json", iiif_views.manifest, name="manifest"),
    path("<int:pk>/search", iiif_views.search, name="search"),
]
