"""The public portal's pages, included in the ``heritage`` namespace at ``/heritage/``."""

from django.urls import path

from methodica.heritage import portal_views

urlpatterns = [
    path("browse/", portal_views.browse, name="browse"),
    path("view/<int:pk>/", portal_views.public_item, name="public_item"),
    path(
        "view/<int:pk>/download.pdf",
        portal_views.public_item_pdf,
        name="public_item_pdf",
    ),
    path("id/<slug:identifier>/", portal_views.by_identifier, name="by_identifier"),
]
