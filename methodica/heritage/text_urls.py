"""Pages' status, OCR re-runs and text correction (included by heritage/urls.py)."""

from django.urls import path

from methodica.heritage import text_views

urlpatterns = [
    path("items/<int:pk>/pages/", text_views.item_pages, name="item_pages"),
    path("items/<int:pk>/ocr/", text_views.item_rerun_ocr, name="item_rerun_ocr"),
    path("pages/<int:pk>/text/", text_views.page_text, name="page_text"),
    path("pages/<int:pk>/text/diff/", text_views.page_text_diff, name="page_diff"),
    path(
        "pages/<int:pk>/text/restore/<int:revision>/",
        text_views.page_text_restore,
        name="page_restore",
    ),
    path("pages/<int:pk>/<str:kind>.jpg", text_views.page_image, name="page_image"),
]
