"""Templates, cycles and reviews end to end through the services, and the rules they keep."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from charter.core.models import AuditEvent
from charter.core.periods import parse_period
from charter.expectations.models import ImmutableError
from charter.kpis import services as kpi_services
from charter.kpis.models import KpiDefinition, PeriodClose
from charter.kpis.tests.test_rollups import deal, upsert
from charter.reviews.models import Phase, Response, Review
from charter.reviews.selectors import restated_kpis
from charter.reviews.services.cycles import cycle_advance, cycle_create
from charter.reviews.services.reviews import (
    SubmittedError,
    response_save,
    review_acknowledge,
    review_share,
)
from charter.reviews.services.templates import template_edit
from charter.reviews.tests.conftest import answers_for

pytestmark = pytest.mark.django_db
Q2 = parse_period("2017-Q2")


def _response(review: Review, kind: str) -> Response:
    return review.responses.get(kind=kind)


def test_template_edit_publishes_a_new_version_and_the_cycle_keeps_its_own(
    version: Any, cycle: Any, admin: Any
) -> None:
    content = {"sections": [{"title": "Only", "questions": [
        {"kind": "rating", "text": "Overall", "scale": ["Low", "Mid", "High"]}]}]}  # fmt: skip
    newer = template_edit(template=version.template, actor=admin.user, content=content,
                          reason="Shorter")  # fmt: skip
    assert newer.number == 2
    version.refresh_from_db()
    assert version.content["sections"][0]["title"] == "Results"
    version.content = content
    with pytest.raises(ImmutableError):
        version.save()
    cycle.refresh_from_db()
    assert cycle.template_version_id == version.pk


def test_template_scale_needs_an_anchor_per_level(version: Any, admin: Any) -> None:
    content = {"sections": [{"title": "S", "questions": [
        {"kind": "rating", "text": "Overall", "scale": ["Low", ""]}]}]}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        template_edit(template=version.template, actor=admin.user, content=content, reason="x")
    assert "section 1 question 1" in caught.value.message_dict
    assert version.template.versions.count() == 1


def test_cycle_on_a_period_that_does_not_exist(org: Any, admin: Any, version: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        cycle_create(org=org, actor=admin.user, name="X", period="2017-Q5",
                     template_version=version, self_due=dt.date(2017, 7, 1),
                     manager_due=dt.date(2017, 7, 2), sharing_due=dt.date(2017, 7, 3))  # fmt: skip
    assert "period" in caught.value.message_dict


def test_phase_dates_out_of_order(org: Any, admin: Any, version: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        cycle_create(org=org, actor=admin.user, name="X", period="FY2018",
                     template_version=version, self_due=dt.date(2018, 2, 10),
                     manager_due=dt.date(2018, 2, 1), sharing_due=dt.date(2018, 2, 20))  # fmt: skip
    assert "manager_due" in caught.value.message_dict


def test_launch_expands_values_and_creates_self_and_manager_reviews(
    cycle: Any, admin: Any, rep: Any, manager: Any, other_team_rep: Any
) -> None:
    cycle_advance(cycle=cycle, actor=admin.user)
    review = Review.objects.get(cycle=cycle, person=rep)
    assert review.manager == manager
    assert any(i["text"].endswith("Ownership") and i["kind"] == "values" for i in review.items)
    assert set(review.responses.values_list("kind", flat=True)) == {"self", "manager"}
    assert not Review.objects.filter(person=other_team_rep).exists()
    assert AuditEvent.objects.filter(action="reviews.cycle.advanced").count() == 1


def test_rating_outside_the_scale_and_an_incomplete_submission(
    cycle: Any, admin: Any, rep: Any
) -> None:
    cycle_advance(cycle=cycle, actor=admin.user)
    review = Review.objects.get(cycle=cycle, person=rep)
    own = _response(review, "self")
    rating = next(i for i in review.items if i["kind"] == "rating")
    with pytest.raises(ValidationError) as caught:
        response_save(response=own, actor=rep.user, answers={rating["key"]: 6})
    assert "from 1 to 5" in caught.value.message_dict[rating["key"]][0]
    response_save(response=own, actor=rep.user, answers={rating["key"]: 4})
    with pytest.raises(ValidationError) as missing:
        response_save(response=own, actor=rep.user, answers={rating["key"]: 4}, submit=True)
    assert rating["key"] not in missing.value.message_dict
    own.refresh_from_db()
    assert own.submitted_at is None
    assert own.answers == {rating["key"]: 4}


def test_submitted_review_is_immutable(cycle: Any, admin: Any, rep: Any) -> None:
    cycle_advance(cycle=cycle, actor=admin.user)
    review = Review.objects.get(cycle=cycle, person=rep)
    own = response_save(response=_response(review, "self"), actor=rep.user,
                        answers=answers_for(review), submit=True)  # fmt: skip
    with pytest.raises(SubmittedError):
        response_save(response=own, actor=rep.user, answers=answers_for(review, 1))
    own.refresh_from_db()
    assert set(own.answers.values()) == {3, "Good quarter."}


def _q2_revenue(org: Any, rep: Any, admin: Any) -> None:
    upsert(org, [deal("d1", rep, "won", "10000", dt.date(2017, 5, 1), dt.date(2017, 5, 10))])
    kpi_services.target_set(
        org=org, kpi=KpiDefinition.objects.get(org=org, key="revenue_won"), period=Q2,
        value=20000, actor=admin.user, person=rep,
    )  # fmt: skip


def test_manager_phase_closes_the_period_and_a_restatement_only_adds_a_note(
    org: Any, cycle: Any, admin: Any, rep: Any
) -> None:
    _q2_revenue(org, rep, admin)
    cycle_advance(cycle=cycle, actor=admin.user)
    cycle_advance(cycle=cycle, actor=admin.user)
    assert PeriodClose.objects.filter(org=org, label="2017-Q2").exists()
    review = Review.objects.get(cycle=cycle, person=rep)
    assert review.kpis is not None
    revenue = next(k for k in review.kpis["kpis"] if k["key"] == "revenue_won")
    assert (revenue["actual"], revenue["target"]) == ("10000", "20000")
    assert restated_kpis(review) == []
    # Late data for Q2 after the close: the review's copy stays, a note says it moved.
    upsert(org, [deal("d2", rep, "won", "5000", dt.date(2017, 3, 1), dt.date(2017, 6, 20))])
    review.refresh_from_db()
    assert review.kpis is not None
    revenue = next(k for k in review.kpis["kpis"] if k["key"] == "revenue_won")
    assert revenue["actual"] == "10000"
    assert "Revenue won" in " ".join(restated_kpis(review))


def test_manager_change_the_new_manager_reviews(
    cycle: Any, admin: Any, rep: Any, manager: Any, other_manager: Any
) -> None:
    cycle_advance(cycle=cycle, actor=admin.user)
    rep.manager = other_manager
    rep.save()
    cycle_advance(cycle=cycle, actor=admin.user)
    review = Review.objects.get(cycle=cycle, person=rep)
    assert (review.manager, review.previous_manager) == (other_manager, manager)
    assert _response(review, "manager").author == other_manager
    assert AuditEvent.objects.filter(action="reviews.review.manager_changed").count() == 1


def _to_sharing(cycle: Any, admin: Any, rep: Any, manager: Any) -> Review:
    cycle_advance(cycle=cycle, actor=admin.user)
    review = Review.objects.get(cycle=cycle, person=rep)
    response_save(response=_response(review, "self"), actor=rep.user,
                  answers=answers_for(review), submit=True)  # fmt: skip
    cycle_advance(cycle=cycle, actor=admin.user)
    response_save(response=_response(review, "manager"), actor=manager.user,
                  answers=answers_for(review, 4), submit=True)  # fmt: skip
    cycle_advance(cycle=cycle, actor=admin.user)
    return review


def test_share_then_disagree_tells_the_managers_manager(
    cycle: Any,
    admin: Any,
    rep: Any,
    manager: Any,
    executive: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    review = _to_sharing(cycle, admin, rep, manager)
    assert cycle.__class__.objects.get(pk=cycle.pk).phase == Phase.SHARING
    with pytest.raises(ValidationError):
        review_acknowledge(review=review, actor=rep.user, comment="", disagrees=False)
    review_share(review=review, actor=manager.user)
    with pytest.raises(ValidationError) as caught:
        review_acknowledge(review=review, actor=rep.user, comment="", disagrees=True)
    assert "comment" in caught.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        review_acknowledge(review=review, actor=rep.user, comment="Q2 had no leads.",
                           disagrees=True)  # fmt: skip
    assert [m.to for m in mailoutbox] == [[executive.email]]
    assert "disagrees" in mailoutbox[0].subject


def test_disagreement_respects_the_preference(
    cycle: Any,
    admin: Any,
    rep: Any,
    manager: Any,
    executive: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from charter.accounts.models import NotificationPreferences

    NotificationPreferences.objects.update_or_create(user=executive.user,
                                               defaults={"team_alerts": False})  # fmt: skip
    review = _to_sharing(cycle, admin, rep, manager)
    review_share(review=review, actor=manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        review_acknowledge(review=review, actor=rep.user, comment="No.", disagrees=True)
    assert mailoutbox == []
