from django.urls import path

from methodica.training import record_views, views
from methodica.training.feedback_urls import urlpatterns as feedback_urlpatterns

app_name = "training"

urlpatterns: list = [
    path("", views.home, name="home"),
    path("calendar.ics", views.calendar_ics, name="calendar"),
    path("programmes/", views.programme_list, name="programmes"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path(
        "programmes/<int:programme_pk>/courses/new/",
        views.course_edit,
        name="course_new",
    ),
    path(
        "programmes/<int:programme_pk>/courses/<int:pk>/",
        views.course_edit,
        name="course_edit",
    ),
    path(
        "courses/<int:course_pk>/sessions/new/", views.session_new, name="session_new"
    ),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/enrol/", views.session_enrol, name="session_enrol"),
    path("sessions/<int:pk>/invite/", views.session_invite, name="session_invite"),
    path(
        "sessions/<int:pk>/attendance/",
        views.session_attendance,
        name="session_attendance",
    ),
    path(
        "sessions/<int:pk>/sign-in.pdf",
        views.session_signin_pdf,
        name="session_signin",
    ),
    path("sessions/<int:pk>/event.ics", views.session_ics, name="session_ics"),
    path(
        "enrolments/<int:pk>/cancel/",
        views.enrolment_cancel,
        name="enrolment_cancel",
    ),
    path("people/", record_views.people, name="people"),
    path("people/<int:pk>/", record_views.person, name="person"),
    path("mine/", record_views.mine, name="mine"),
    *feedback_urlpatterns,
]
