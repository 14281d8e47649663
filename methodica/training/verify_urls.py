"""The public certificate verification page, outside the staff pages."""

from django.urls import path  # noqa: F401 (the module's pages are added here)

app_name = "verify"

urlpatterns: list = []
