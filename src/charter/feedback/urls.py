from django.urls import path

from charter.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("give/", views.give, name="give"),
    path("people/<int:person_id>/received/", views.received, name="received"),
    path("people/<int:person_id>/given/", views.given, name="given"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:request_id>/", views.request_detail, name="request"),
    path("requests/<int:request_id>/answer/", views.answer, name="answer"),
    path("badges/", views.badges, name="badges"),
    path("badges/<int:badge_id>/edit/", views.badge_edit, name="badge_edit"),
    path("badges/award/", views.award, name="award"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
]
