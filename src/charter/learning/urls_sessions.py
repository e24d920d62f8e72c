"""The session pages, included by `learning.urls` under its namespace."""

from django.urls import path

from charter.learning.views import sessions

urlpatterns = [
    path("sessions/", sessions.upcoming, name="sessions"),
    path(
        "trainings/<int:training_id>/sessions/",
        sessions.training_sessions,
        name="training_sessions",
    ),
    path(
        "trainings/<int:training_id>/sessions/new/",
        sessions.session_create,
        name="session_create",
    ),
    path("sessions/<int:session_id>/", sessions.session_detail, name="session"),
    path("sessions/<int:session_id>/edit/", sessions.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/enrol/", sessions.session_enrol, name="session_enrol"),
    path(
        "enrolments/<int:enrolment_id>/cancel/",
        sessions.enrolment_cancel,
        name="enrolment_cancel",
    ),
    path("enrolments/<int:enrolment_id>/attendance/", sessions.attendance, name="attendance"),
]
