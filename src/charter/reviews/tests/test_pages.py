"""The reviews pages and API by persona: who reads which answers, autosave and its fallback."""

from __future__ import annotations

from typing import Any

import pytest

from charter.conftest import client_for, make_person
from charter.org.models import Role
from charter.reviews.models import Review
from charter.reviews.services.cycles import cycle_advance
from charter.reviews.services.reviews import response_save, review_share
from charter.reviews.tests.conftest import answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(cycle: Any, admin: Any, rep: Any, manager: Any) -> Review:
    """Rick's review with both answers submitted (texts that tell them apart), in sharing."""
    cycle_advance(cycle=cycle, actor=admin.user)
    review = Review.objects.get(cycle=cycle, person=rep)
    own = {k: ("Self words" if isinstance(v, str) else v) for k, v in answers_for(review).items()}
    response_save(response=review.responses.get(kind="self"), actor=rep.user, answers=own,
                  submit=True)  # fmt: skip
    cycle_advance(cycle=cycle, actor=admin.user)
    boss = {k: ("Manager words" if isinstance(v, str) else v)
            for k, v in answers_for(review, 4).items()}  # fmt: skip
    response_save(response=review.responses.get(kind="manager"), actor=manager.user,
                  answers=boss, submit=True)  # fmt: skip
    cycle_advance(cycle=cycle, actor=admin.user)
    return review


def test_side_by_side_for_the_manager_and_hidden_from_the_rep_until_shared(
    written: Any, rep: Any, manager: Any
) -> None:
    url = f"/reviews/{written.pk}/"
    page = client_for(manager).get(url).content.decode()
    assert "Self words" in page
    assert "Manager words" in page
    page = client_for(rep).get(url).content.decode()
    assert "Self words" in page
    assert "Manager words" not in page
    api = client_for(rep).get(f"/api/v1/reviews/reviews/{written.pk}/").json()
    assert [r["kind"] for r in api["responses"]] == ["self"]
    review_share(review=written, actor=manager.user)
    assert "Manager words" in client_for(rep).get(url).content.decode()
    api = client_for(rep).get(f"/api/v1/reviews/reviews/{written.pk}/").json()
    assert sorted(r["kind"] for r in api["responses"]) == ["manager", "self"]


def test_outside_the_line_sees_nothing(
    written: Any, org: Any, rep2: Any, other_manager: Any, admin: Any
) -> None:
    outsider = make_person(org, "Xena Exec", Role.EXECUTIVE)
    for person in (rep2, other_manager, admin, outsider):
        client = client_for(person)
        assert client.get(f"/reviews/{written.pk}/").status_code == 404
        assert client.get(f"/api/v1/reviews/reviews/{written.pk}/").status_code == 404
        listed = client.get("/api/v1/reviews/reviews/").json()
        assert written.pk not in [r["id"] for r in listed["results"]]


def test_autosave_with_htmx_and_the_plain_post_fallback(cycle: Any, admin: Any, rep: Any) -> None:
    cycle_advance(cycle=cycle, actor=admin.user)
    review = Review.objects.get(cycle=cycle, person=rep)
    rating = next(i for i in review.items if i["kind"] == "rating")
    url = f"/reviews/{review.pk}/write/self/"
    client = client_for(rep)
    saved = client.post(url, {f"a-{rating['key']}": "2"}, headers={"HX-Request": "true"})
    assert "Draft saved" in saved.content.decode()
    assert review.responses.get(kind="self").answers == {rating["key"]: 2}
    bad = client.post(url, {f"a-{rating['key']}": "9", "action": "save"})
    assert bad.status_code == 400
    assert "a rating from 1 to 5" in bad.content.decode()
    assert review.responses.get(kind="self").answers == {rating["key"]: 2}
    plain = client.post(url, {f"a-{rating['key']}": "5", "action": "save"})
    assert plain.status_code == 302
    assert review.responses.get(kind="self").answers == {rating["key"]: 5}
    incomplete = client.post(url, {f"a-{rating['key']}": "5", "action": "submit"})
    assert incomplete.status_code == 400
    assert review.responses.get(kind="self").submitted_at is None


def test_admin_creates_a_cycle_with_errors_naming_the_fields(admin: Any, version: Any) -> None:
    data = {"name": "Bad", "period": "2017-Q7", "template_version": version.pk,
            "audience": "company", "self_due": "2017-07-10", "manager_due": "2017-07-05",
            "sharing_due": "2017-07-30"}  # fmt: skip
    page = client_for(admin).post("/reviews/cycles/", data)
    assert page.status_code == 400
    text = page.content.decode()
    assert "names no period" in text
    assert "must be due in order" in text
