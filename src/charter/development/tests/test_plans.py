"""Development plans through the pages: a plan is the person's and their managers' above them,
nobody else's; progress is the person's, comments the managers'; bad input is refused field by
field and nothing is half-written."""

from __future__ import annotations

import pytest

from charter.conftest import client_for
from charter.development.models import Goal, GoalComment, Plan, ProgressUpdate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everyone")]


@pytest.mark.parametrize("who", ["rep2", "manager", "executive"])
def test_the_person_and_the_managers_above_read_the_plan(request, who, plan, goal):
    page = client_for(request.getfixturevalue(who)).get(f"/development/plans/{plan.pk}/")
    assert page.status_code == 200
    assert "Lead a demo" in page.content.decode()


@pytest.mark.parametrize("who", ["rep", "other_manager", "admin", "outside_executive"])
def test_peers_other_managers_admins_and_executives_outside_the_line_are_refused(
    request, who, plan, goal
):
    client = client_for(request.getfixturevalue(who))
    assert client.get(f"/development/plans/{plan.pk}/").status_code == 404
    assert client.get(f"/development/goals/{goal.pk}/edit/").status_code == 404
    assert "Rita grows" not in client.get("/development/plans/").content.decode()
    api = client.get(f"/api/v1/development/plans/{plan.pk}/")
    assert api.status_code == 404


def test_person_reports_progress_and_a_first_step_starts_the_goal(rep2, plan, goal):
    response = client_for(rep2).post(
        f"/development/goals/{goal.pk}/progress/", {"percent": "30", "text": "Shadowed one"}
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == "in_progress"
    assert list(goal.updates.values_list("percent", flat=True)) == [30]


@pytest.mark.parametrize("percent", ["-1", "101", "abc"])
def test_percent_outside_0_to_100_is_a_field_error(rep2, goal, percent):
    response = client_for(rep2).post(
        f"/development/goals/{goal.pk}/progress/", {"percent": percent, "text": "x"}
    )
    assert response.status_code == 400
    assert "percent" in response.context["form"].errors
    assert not ProgressUpdate.objects.exists()
    goal.refresh_from_db()
    assert goal.status == "not_started"


def test_the_service_refuses_a_percent_past_100_too(rep2, goal):
    from django.core.exceptions import ValidationError

    from charter.development.services.plans import progress_report

    with pytest.raises(ValidationError) as caught:
        progress_report(goal=goal, actor=rep2.user, text="x", percent=150)
    assert list(caught.value.message_dict) == ["percent"]
    assert not ProgressUpdate.objects.exists()


def test_only_the_person_reports_progress(manager, goal):
    response = client_for(manager).post(
        f"/development/goals/{goal.pk}/progress/", {"percent": "30", "text": "x"}
    )
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_managers_comment_and_the_person_does_not(manager, rep2, executive, goal):
    url = f"/development/goals/{goal.pk}/comment/"
    assert client_for(rep2).post(url, {"text": "Me"}).status_code == 403
    # The executive above reads the plan but is read-only.
    assert client_for(executive).post(url, {"text": "Exec"}).status_code == 403
    assert client_for(manager).post(url, {"text": "Keep going"}).status_code == 302
    assert list(GoalComment.objects.values_list("text", flat=True)) == ["Keep going"]
    assert (
        "Keep going" in client_for(rep2).get(f"/development/plans/{goal.plan_id}/").content.decode()
    )


def test_goal_target_before_the_plan_starts_is_a_field_error(rep2, plan):
    response = client_for(rep2).post(
        f"/development/plans/{plan.pk}/",
        {"title": "Too early", "target_on": "2025-12-31", "status": "not_started"},
    )
    assert response.status_code == 200
    assert "before the plan starts" in response.context["form"].errors["target_on"][0]
    assert not Goal.objects.exists()


def test_goal_links_to_values_trainings_and_certifications(org, admin, rep2, plan):
    from charter.expectations.services import value_create
    from charter.learning.services.catalogue import training_create
    from charter.learning.services.certificates import certification_create

    value = value_create(org=org, actor=admin.user, name="Ownership")
    training = training_create(
        org=org, actor=admin.user, title="Negotiation", kind="course", expected_hours="2"
    )
    certification = certification_create(
        org=org, actor=admin.user, name="Cloud badge", validity_months=12
    )
    response = client_for(rep2).post(
        f"/development/plans/{plan.pk}/",
        {"title": "Negotiate", "target_on": "2026-05-01", "status": "not_started",
         "values": [value.pk], "trainings": [training.pk], "certifications": [certification.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert list(goal.values.all()) == [value]
    assert list(goal.trainings.all()) == [training]
    assert list(goal.certifications.all()) == [certification]
    page = client_for(rep2).get(f"/development/plans/{plan.pk}/").content.decode()
    assert "training: Negotiation" in page
    assert "certification: Cloud badge" in page


def test_manager_starts_a_plan_for_their_rep_but_not_for_another_team(
    manager, other_manager, rep2, other_team_rep
):
    data = {"person": rep2.pk, "title": "Grow", "starts_on": "2026-01-01"}
    assert client_for(manager).post("/development/plans/", data).status_code == 302
    refused = client_for(other_manager).post("/development/plans/", data)
    assert "person" in refused.context["form"].errors
    assert list(Plan.objects.values_list("person", flat=True)) == [rep2.pk]


def test_plan_page_queries_stay_flat(rep2, plan, django_assert_max_num_queries):
    from charter.development.services.plans import goal_add, progress_report

    for number in range(6):
        goal = goal_add(
            plan=plan, actor=rep2.user, title=f"Goal {number}",
            target_on=plan.starts_on.replace(month=6),
        )  # fmt: skip
        progress_report(goal=goal, actor=rep2.user, text="x", percent=10)
    client = client_for(rep2)
    with django_assert_max_num_queries(40):
        assert client.get(f"/development/plans/{plan.pk}/").status_code == 200
