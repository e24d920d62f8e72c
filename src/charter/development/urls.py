from django.urls import path

from charter.development.views import mentorships, plans

app_name = "development"
urlpatterns = [
    path("", mentorships.home, name="home"),
    path("mentors/", mentorships.offers, name="offers"),
    path("mentors/withdraw/", mentorships.offer_withdraw, name="offer_withdraw"),
    path("mentors/<int:offer_id>/ask/", mentorships.ask, name="ask"),
    path("requests/<int:request_id>/answer/", mentorships.answer, name="answer"),
    path("mentorships/", mentorships.mentorship_list, name="mentorships"),
    path("mentorships/pair/", mentorships.pair, name="pair"),
    path("mentorships/<int:mentorship_id>/", mentorships.mentorship_detail, name="mentorship"),
    path(
        "mentorships/<int:mentorship_id>/status/",
        mentorships.mentorship_status,
        name="mentorship_status",
    ),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/<int:plan_id>/", plans.plan_detail, name="plan"),
    path("goals/<int:goal_id>/edit/", plans.goal_edit, name="goal_edit"),
    path("goals/<int:goal_id>/progress/", plans.goal_progress, name="goal_progress"),
    path("goals/<int:goal_id>/comment/", plans.goal_comment, name="goal_comment"),
]
