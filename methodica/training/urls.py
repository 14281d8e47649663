from django.urls import path  # noqa: F401 (the module's pages are added here)

from methodica.training.feedback_urls import urlpatterns as feedback_urlpatterns

app_name = "training"

urlpatterns: list = [*feedback_urlpatterns]
