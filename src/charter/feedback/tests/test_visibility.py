"""Who reads a piece of feedback, for each visibility its giver may choose, by page and API.

Rick (rep) and Rita (rep2) report to Mona (manager), who reports to Eve (executive); Omar
(other_manager) runs another team; Ada is the admin. Rita gives Rick feedback:
- private: Rick and Rita only; never Mona, Eve, Ada, Omar;
- managers: besides, Mona and Eve (above Rick), never Ada or Omar;
- public praise: everyone in the organization, never another organization.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.conftest import client_for
from charter.feedback.access import can_see_feedback
from charter.feedback.selectors import feed, value_counts
from charter.kpis.selectors.calendar import period_of

READERS = {
    "private": {"rep", "rep2"},
    "managers": {"rep", "rep2", "manager", "executive"},
    "public": {"rep", "rep2", "manager", "executive", "admin", "other_manager", "other_team_rep"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", ["private", "managers", "public"])
def test_each_visibility_reaches_exactly_its_readers(everyone, give, visibility):
    found = give(everyone["rep2"], everyone["rep"], visibility)
    for name, person in everyone.items():
        expected = name in READERS[visibility]
        assert can_see_feedback(person.user, found) is expected, name
        assert (found in feed(person.user)) is expected, name
        api = client_for(person).get(f"/api/v1/feedback/items/{found.pk}/")
        assert api.status_code == (200 if expected else 404), name
        listed = client_for(person).get("/api/v1/feedback/items/").json()
        assert (found.pk in [f["id"] for f in listed]) is expected, name
        page = client_for(person).get(f"/feedback/people/{everyone['rep'].pk}/received/")
        assert page.status_code == 200
        assert (found.text in page.content.decode()) is expected, name


@pytest.mark.django_db
def test_another_organization_never_reads_public_praise(everyone, globex, give):
    found = give(everyone["rep2"], everyone["rep"], "public")
    for person in globex.values():
        assert not can_see_feedback(person.user, found)
        assert client_for(person).get(f"/api/v1/feedback/items/{found.pk}/").status_code == 404
        page = client_for(person).get(f"/feedback/people/{everyone['rep'].pk}/received/")
        assert page.status_code == 404


@pytest.mark.django_db
def test_the_feed_page_shows_what_the_viewer_may_read(everyone, give):
    give(everyone["rep2"], everyone["rep"], "private", text="Quiet thanks")
    give(everyone["rep2"], everyone["rep"], "public", text="Loud thanks")
    text = client_for(everyone["admin"]).get("/feedback/").content.decode()
    assert "Loud thanks" in text
    assert "Quiet thanks" not in text
    mine = client_for(everyone["rep"]).get("/feedback/").content.decode()
    assert "Loud thanks" in mine
    assert "Quiet thanks" in mine


@pytest.mark.django_db
def test_the_values_page_counts_only_praise_the_viewer_may_read(org, everyone, give, values):
    give(everyone["rep2"], everyone["rep"], "private", values=[values["candor"]])
    give(everyone["rep2"], everyone["rep"], "public")
    give(everyone["rep2"], everyone["rep"], "managers", values=[values["ownership"]])
    give(everyone["rep2"], everyone["rep"], "managers", kind="constructive")
    period = period_of(org, None)

    def counts(person):
        return {c.value.name: c.praise for c in value_counts(person.user, period)}

    # Retired values are not listed; constructive feedback is not praise.
    assert counts(everyone["rep"]) == {"Ownership": 2, "Candor": 1}
    assert counts(everyone["manager"]) == {"Ownership": 2, "Candor": 0}
    assert counts(everyone["admin"]) == {"Ownership": 1, "Candor": 0}
    page = client_for(everyone["admin"]).get("/expectations/values/").content.decode()
    assert "How often each value is recognised" in page
    assert "private praise" not in page  # counts only, never the text


@pytest.mark.django_db
def test_the_feed_costs_the_same_queries_for_many_items(
    everyone, give, django_assert_max_num_queries
):
    give(everyone["rep2"], everyone["rep"], "public")
    client = client_for(everyone["rep"])
    client.get("/feedback/")  # the session and caches, once
    with CaptureQueriesContext(connection) as one:
        assert client.get("/feedback/").status_code == 200
    for _ in range(8):
        give(everyone["rep2"], everyone["rep"], "public")
    with django_assert_max_num_queries(len(one)):
        assert client.get("/feedback/").status_code == 200


@pytest.mark.django_db
def test_the_audit_log_tells_admins_nothing_of_a_private_feedback(everyone, give):
    from charter.core.models import AuditEvent

    private = give(everyone["rep2"], everyone["rep"], "private", text="Between us")
    shared = give(everyone["rep2"], everyone["rep"], "managers")
    rows = {e.object_id: e for e in AuditEvent.objects.filter(action="feedback.feedback.given")}
    assert rows[str(private.pk)].after == {"kind": "praise", "visibility": "private"}
    assert rows[str(private.pk)].object_repr == f"feedback {private.pk}"
    assert (rows[str(shared.pk)].after or {}).get("recipient") == everyone["rep"].pk
    admin = client_for(everyone["admin"])
    for path in ("/", "/audit/"):
        page = admin.get(path)
        assert page.status_code == 200
        assert "Between us" not in page.content.decode()
