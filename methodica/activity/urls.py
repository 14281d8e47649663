from django.urls import path  # noqa: F401 (the module's pages are added here)

app_name = "activity"

urlpatterns: list = []
