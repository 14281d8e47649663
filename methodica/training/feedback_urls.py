"""Feedback surveys and certificates (part of the ``training`` URL namespace)."""

from django.urls import path  # noqa: F401 (the module's pages are added here)

urlpatterns: list = []
