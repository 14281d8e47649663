"""Feedback surveys and certificates (part of the ``training`` URL namespace)."""

from django.urls import path

from methodica.training import feedback_views as views

urlpatterns: list = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/new/", views.survey_edit, name="survey_new"),
    path("surveys/<int:pk>/", views.survey_edit, name="survey_edit"),
    path(
        "sessions/<int:session_id>/send-feedback/",
        views.send_feedback,
        name="send_feedback",
    ),
    path(
        "sessions/<int:session_id>/certificates/",
        views.issue_certificates,
        name="issue_certificates",
    ),
    path(
        "sessions/<int:session_id>/certificates/list/",
        views.session_certificates,
        name="session_certificates",
    ),
    path("sessions/<int:pk>/results/", views.session_results, name="session_results"),
    # Before the token pattern: these words are not tokens.
    path("feedback/mine/", views.mine, name="feedback_mine"),
    path(
        "feedback/mine/answer/",
        views.answer_mine_submit,
        name="feedback_mine_submit",
    ),
    path(
        "feedback/mine/<int:enrolment_id>/",
        views.answer_mine,
        name="feedback_mine_answer",
    ),
    path("feedback/compare/", views.compare, name="feedback_compare"),
    path("feedback/compare.xlsx", views.compare_xlsx, name="feedback_compare_xlsx"),
    path("feedback/<str:token>/", views.answer_by_token, name="feedback_answer"),
    path("certificates/<str:code>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path(
        "certificates/<str:code>/revoke/",
        views.revoke_certificate,
        name="revoke_certificate",
    ),
]
