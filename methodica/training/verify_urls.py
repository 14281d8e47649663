"""The public certificate verification page, outside the staff pages."""

from django.urls import path

from methodica.training import feedback_views as views

app_name = "verify"

urlpatterns: list = [
    path("", views.verify_index, name="index"),
    path("<str:code>/", views.verify_certificate, name="certificate"),
]
