"""Bad input is refused naming the field, and nothing is half-written: feedback to oneself, on
a retired value, constructive feedback made public, to someone of another organization, a
request to someone outside the organization, a badge awarded twice for the same achievement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from charter.conftest import client_for
from charter.feedback.models import Award, Badge, Feedback, FeedbackRequest
from charter.feedback.services.badges import award_give, badge_create
from charter.feedback.services.feedback import request_create
from charter.kpis.models import ContributedMetrics


def _refused(give, field, *args, **kwargs):
    with pytest.raises(ValidationError) as caught:
        give(*args, **kwargs)
    assert field in caught.value.message_dict
    assert not Feedback.objects.exists()
    assert not ContributedMetrics.objects.exists()
    return caught.value.message_dict[field][0]


@pytest.mark.django_db
def test_feedback_to_oneself_is_refused(everyone, give):
    assert "yourself" in _refused(give, "recipient", everyone["rep"], everyone["rep"], "private")


@pytest.mark.django_db
def test_feedback_on_a_retired_value_is_refused(everyone, give, values):
    message = _refused(
        give, "values", everyone["rep"], everyone["rep2"], "private", values=[values["old ways"]]
    )
    assert "retired" in message


@pytest.mark.django_db
def test_constructive_feedback_is_never_public(everyone, give):
    _refused(give, "visibility", everyone["rep"], everyone["rep2"], "public", kind="constructive")


@pytest.mark.django_db
def test_feedback_to_another_organization_is_refused(everyone, globex, give):
    _refused(give, "recipient", everyone["rep"], globex["rep"], "private")


@pytest.mark.django_db
def test_the_page_and_the_api_name_the_field(everyone, values, globex):
    rep = everyone["rep"]
    page = client_for(rep).post(
        "/feedback/give/",
        {"recipient": rep.pk, "kind": "praise", "visibility": "private",
         "values": [values["ownership"].pk], "text": "Me!"},
    )  # fmt: skip
    assert page.status_code == 200
    assert page.context["form"].errors["recipient"] == ["You cannot give feedback to yourself."]
    api = client_for(rep).post(
        "/api/v1/feedback/items/",
        {"recipient": everyone["rep2"].pk, "kind": "constructive", "visibility": "public",
         "values": [values["old ways"].pk], "text": "Hm"},
        content_type="application/json",
    )  # fmt: skip
    assert api.status_code == 400
    assert set(api.json()) == {"visibility"}
    retired = client_for(rep).post(
        "/api/v1/feedback/items/",
        {"recipient": everyone["rep2"].pk, "kind": "praise", "visibility": "private",
         "values": [values["old ways"].pk], "text": "Hm"},
        content_type="application/json",
    )  # fmt: skip
    assert retired.status_code == 400
    assert "retired" in retired.json()["values"][0]
    outside = client_for(rep).post(
        "/api/v1/feedback/requests/",
        {"subject": rep.pk, "asked": [globex["rep"].pk], "topic": "x", "due_on": "2026-06-01"},
        content_type="application/json",
    )  # fmt: skip
    assert outside.status_code == 400
    assert set(outside.json()) == {"asked"}
    assert not Feedback.objects.exists()
    assert not FeedbackRequest.objects.exists()


@pytest.mark.django_db
def test_a_request_to_someone_outside_the_organization_is_refused(everyone, globex):
    rep = everyone["rep"]
    with pytest.raises(ValidationError) as caught:
        request_create(
            asked_by=rep, actor=rep.user, subject=rep, asked=[everyone["rep2"], globex["rep"]],
            topic="My demos", due_on=dt.date(2026, 6, 1),
        )  # fmt: skip
    assert "outside your organization" in caught.value.message_dict["asked"][0]
    assert not FeedbackRequest.objects.exists()


@pytest.mark.django_db
def test_a_badge_awarded_twice_for_the_same_achievement_is_refused(org, everyone, values):
    badge = badge_create(
        org=org, actor=everyone["admin"].user, name="Closer", icon="trophy",
        value=values["ownership"],
    )  # fmt: skip
    mona, rita = everyone["manager"], everyone["rep2"]
    award_give(badge=badge, person=rita, actor=mona.user, awarder=mona, reason="Acme deal")
    with pytest.raises(ValidationError) as caught:
        award_give(badge=badge, person=rita, actor=mona.user, awarder=mona, reason="ACME  deal")
    assert "already has" in caught.value.message_dict["reason"][0]
    page = client_for(everyone["admin"]).post(
        "/feedback/badges/award/", {"badge": badge.pk, "person": rita.pk, "reason": "acme deal"}
    )
    assert page.context["form"].errors["reason"]
    # Another achievement is another award.
    award_give(badge=badge, person=rita, actor=mona.user, awarder=mona, reason="Globex deal")
    assert Award.objects.count() == 2


@pytest.mark.django_db
def test_a_badge_on_a_retired_value_or_without_its_threshold_is_refused(org, everyone, values):
    admin = everyone["admin"]
    with pytest.raises(ValidationError) as caught:
        badge_create(org=org, actor=admin.user, name="Old", icon="star", value=values["old ways"])
    assert "value" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        badge_create(
            org=org, actor=admin.user, name="Big", icon="star", value=values["ownership"],
            criterion="first_deal_over",
        )  # fmt: skip
    assert "threshold" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        badge_create(
            org=org, actor=admin.user, name="Hit", icon="star", value=values["ownership"],
            criterion="kpi_attainment", threshold=100, kpi_key="no_such_kpi",
        )  # fmt: skip
    assert "kpi_key" in caught.value.message_dict
    assert not Badge.objects.exists()


@pytest.mark.django_db
def test_a_manager_awards_only_people_below(org, everyone, values):
    badge = badge_create(
        org=org, actor=everyone["admin"].user, name="Closer", icon="trophy",
        value=values["ownership"],
    )  # fmt: skip
    omar = everyone["other_manager"]
    with pytest.raises(ValidationError) as caught:
        award_give(badge=badge, person=everyone["rep"], actor=omar.user, awarder=omar, reason="x")
    assert "person" in caught.value.message_dict
    assert not Award.objects.exists()
