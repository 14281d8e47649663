from django.urls import path

from methodica.support import question_views, taxonomy_views, views, visit_views

app_name = "support"

urlpatterns = [
    path("", views.home, name="home"),
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/new/", views.consultation_new, name="consultation_new"),
    path(
        "consultations/export.xlsx",
        views.consultation_export,
        name="consultation_export",
    ),
    path(
        "consultations/<int:pk>/edit/",
        views.consultation_edit,
        name="consultation_edit",
    ),
    path(
        "consultations/<int:pk>/followed-up/",
        views.consultation_followed_up,
        name="consultation_followed_up",
    ),
    path("ask/", question_views.ask, name="ask"),
    path("questions/", question_views.queue, name="queue"),
    path("questions/<int:pk>/", question_views.question, name="question"),
    path("questions/<int:pk>/take/", question_views.take, name="take"),
    path("my-questions/", question_views.my_questions, name="my_questions"),
    path("visits/", visit_views.visit_list, name="visits"),
    path("visits/new/", visit_views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", visit_views.visit_detail, name="visit"),
    path("visits/<int:pk>/record/", visit_views.visit_record, name="visit_record"),
    path("visits/<int:pk>/cancel/", visit_views.visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/report.pdf", visit_views.visit_report, name="visit_report"),
    path(
        "visits/<int:pk>/send-report/",
        visit_views.visit_send_report,
        name="visit_send_report",
    ),
    path(
        "recommendations/",
        visit_views.recommendation_list,
        name="recommendations",
    ),
    path(
        "recommendations/<int:pk>/",
        visit_views.recommendation_edit,
        name="recommendation",
    ),
    path("taxonomy/<str:kind>/", taxonomy_views.taxonomy, name="taxonomy"),
    path(
        "taxonomy/<str:kind>/<int:pk>/",
        taxonomy_views.taxonomy,
        name="taxonomy_entry",
    ),
]
