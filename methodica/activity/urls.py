from django.urls import path, re_path

from methodica.activity import views

app_name = "activity"

urlpatterns = [
    path("", views.home, name="home"),
    path("records/", views.records, name="records"),
    re_path(
        r"^report/(?P<year>[0-9]{4})\.(?P<fmt>docx|pdf)$",
        views.report,
        name="report",
    ),
]
