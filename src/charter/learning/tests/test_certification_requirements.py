"""Certifications inside requirements, due rules counting from joining the team, and rules that
cannot be computed for someone: hand-computed states, the pages, the CSV and the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from charter.conftest import client_for
from charter.learning.compliance import (
    DONE,
    DUE,
    DUE_SOON,
    NOT_APPLICABLE,
    OVERDUE,
    CertificationRule,
    TrainingRule,
    certification_item,
    share_met,
    training_item,
)
from charter.learning.joins import team_join_days
from charter.learning.selectors import person_compliance
from charter.learning.services.certificates import certificate_add, certification_create
from charter.learning.services.requirements import CertificationAsk, requirement_create
from charter.org.services import person_update

D = dt.date
# Due by 30 June 2026; a certificate is "expiring" in its last 30 days.
BY_JUNE = CertificationRule(
    requirement="R", certification_id=1, certification="Cloud", due_rule="absolute",
    expiring_days=30, due_date=D(2026, 6, 30),
)  # fmt: skip
HELD = {1: (D(2026, 1, 10), D(2027, 1, 9))}


def cert(rule: CertificationRule, day: D, held: Any = None, **kw: Any) -> Any:
    return certification_item(rule, hire_date=kw.pop("hire", D(2022, 3, 1)), held=held or {},
                              day=day, **kw)  # fmt: skip


def test_a_missing_certificate_is_due_then_due_soon_then_overdue_by_the_rule():
    assert cert(BY_JUNE, D(2026, 5, 30)).state == DUE  # 31 days before
    assert cert(BY_JUNE, D(2026, 5, 31)).state == DUE_SOON  # 30 days before
    assert cert(BY_JUNE, D(2026, 6, 30)).state == DUE_SOON  # the due day itself
    late = cert(BY_JUNE, D(2026, 7, 1))
    assert (late.state, late.due, late.reason) == (OVERDUE, D(2026, 6, 30), "no certificate")


def test_a_certificate_is_done_while_valid_due_soon_while_expiring_overdue_once_expired():
    valid = cert(BY_JUNE, D(2026, 12, 9), HELD)  # 31 days before its end
    assert (valid.state, valid.due, valid.reason) == (
        DONE,
        D(2026, 6, 30),
        "valid until 2027-01-09",
    )
    expiring = cert(BY_JUNE, D(2026, 12, 10), HELD)  # 30 days before
    assert (expiring.state, expiring.due) == (DUE_SOON, D(2027, 1, 9))
    assert cert(BY_JUNE, D(2027, 1, 9), HELD).state == DUE_SOON  # its last valid day
    expired = cert(BY_JUNE, D(2027, 1, 10), HELD)
    assert (expired.state, expired.due, expired.reason) == (
        OVERDUE, D(2027, 1, 9), "expired on 2027-01-09",
    )  # fmt: skip
    # Valid before the due day counts as done already; expired before it is overdue at once.
    assert cert(BY_JUNE, D(2026, 2, 1), HELD).state == DONE
    old = {1: (D(2024, 1, 10), D(2025, 1, 9))}
    assert cert(BY_JUNE, D(2026, 2, 1), old).state == OVERDUE


def test_share_met_counts_a_valid_certificate_and_an_expired_one():
    items = [cert(BY_JUNE, D(2026, 8, 1), HELD), cert(BY_JUNE, D(2027, 2, 1), HELD)]
    assert [i.state for i in items] == [DONE, OVERDUE]
    assert str(share_met(items, D(2027, 2, 1))) == "0.5000"


AFTER_JOIN = TrainingRule(requirement="R", training_id=7, training="Onboarding",
                          due_rule="after_join", due_days=30)  # fmt: skip


def test_a_rule_counting_from_joining_the_team_is_due_that_many_days_after():
    joined = D(2026, 3, 10)
    on = training_item(AFTER_JOIN, hire_date=D(2020, 1, 1), completed={}, day=D(2026, 4, 9),
                       joined_on=joined)  # fmt: skip
    assert (on.state, on.due) == (DUE_SOON, D(2026, 4, 9))
    after = training_item(AFTER_JOIN, hire_date=D(2020, 1, 1), completed={}, day=D(2026, 4, 10),
                          joined_on=joined)  # fmt: skip
    assert after.state == OVERDUE
    done = training_item(AFTER_JOIN, hire_date=D(2020, 1, 1), completed={7: D(2026, 3, 20)},
                         day=D(2026, 4, 10), joined_on=joined)  # fmt: skip
    assert done.state == DONE


def test_a_due_day_that_cannot_be_computed_reads_not_computable_with_why():
    hire_rule = CertificationRule(requirement="R", certification_id=1, certification="Cloud",
                                  due_rule="after_hire", expiring_days=30, due_days=60)  # fmt: skip
    item = cert(hire_rule, D(2026, 5, 1), hire=None)
    assert item.state == NOT_APPLICABLE  # counted nowhere, like any item not asked
    assert not item.computable
    assert (item.state_label, item.status) == ("Not computable", "not_computable")
    assert "no hire date on record" in item.reason
    joined = training_item(AFTER_JOIN, hire_date=None, completed={}, day=D(2026, 5, 1))
    assert joined.status == "not_computable"
    assert "no day of joining the team on record" in joined.reason


# --- from the database -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def badge(org: Any, admin: Any) -> Any:
    return certification_create(
        org=org, actor=admin.user, name="Cloud badge", validity_months=12, expiring_days=30
    )


@pytest.fixture
def east_cert(org: Any, teams: Any, manager: Any, badge: Any) -> Any:
    return requirement_create(
        org=org, actor=manager.user, name="East cloud", scope="team", team=teams["east_ent"],
        effective_from=D(2026, 1, 1),
        certifications=[CertificationAsk(badge, "absolute", due_date=D(2026, 4, 30))],
    )  # fmt: skip


def _items(person: Any) -> dict[str, Any]:
    return {i.label: i for i in person_compliance(person, D(2026, 5, 20))}


def test_compliance_counts_a_required_certification(rep: Any, rep2: Any, badge: Any,
                                                    east_cert: Any) -> None:  # fmt: skip
    certificate_add(person=rep, actor=rep.user, certification=badge, issued_on=D(2026, 2, 1))
    # Rita's ended on 30 April: overdue since, though the rule was due the same day.
    certificate_add(person=rep2, actor=rep2.user, certification=badge, issued_on=D(2025, 1, 1),
                    expires_on=D(2026, 4, 30))  # fmt: skip

    rick, rita = _items(rep)["Cloud badge"], _items(rep2)["Cloud badge"]
    assert (rick.state, rick.reason, rick.certification_id) == (
        DONE, "valid until 2027-01-31", badge.pk,
    )  # fmt: skip
    assert (rita.state, rita.due, rita.reason) == (OVERDUE, D(2026, 4, 30), "expired on 2026-04-30")


def test_the_team_csv_and_the_api_carry_certifications_and_not_computable(
    org: Any, teams: Any, admin: Any, manager: Any, rep: Any, rep2: Any, badge: Any,
    east_cert: Any,
) -> None:  # fmt: skip
    certificate_add(person=rep, actor=rep.user, certification=badge, issued_on=D(2026, 2, 1))
    requirement_create(
        org=org, actor=admin.user, name="Within 60 days", scope="role", role="rep",
        effective_from=D(2026, 1, 1),
        certifications=[CertificationAsk(badge, "after_hire", due_days=60)],
    )  # fmt: skip
    person_update(person=rep2, actor=admin.user, hire_date=None)
    client = client_for(manager)

    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/learning/teams/{teams['east_ent'].pk}/learning.csv").content.decode()
    )))  # fmt: skip
    mine = {(r["person"], r["requirement"], r["item"]): (r["state"], r["why"]) for r in rows}
    assert mine[("Rick Rep", "East cloud", "Cloud badge")] == ("done", "valid until 2027-01-31")
    assert mine[("Rita Rep", "East cloud", "Cloud badge")] == ("overdue", "no certificate")
    state, why = mine[("Rita Rep", "Within 60 days", "Cloud badge")]
    assert state == "not_computable"
    assert "no hire date on record" in why

    body = client.get(f"/api/v1/learning/compliance/?person={rep2.pk}").json()
    states = {(i["requirement"], i["title"]): (i["state"], i["certification_id"])
              for i in body["people"][0]["items"]}  # fmt: skip
    assert states[("Within 60 days", "Cloud badge")] == ("not_computable", badge.pk)
    assert states[("East cloud", "Cloud badge")] == ("overdue", badge.pk)
    detail = client.get(f"/api/v1/learning/requirements/{east_cert.pk}/").json()
    assert detail["versions"][0]["certifications"] == [
        {"certification": badge.pk, "due_rule": "absolute", "due_date": "2026-04-30",
         "due_days": None}
    ]  # fmt: skip


def test_a_team_mover_gets_the_new_teams_requirements_due_from_the_move(
    org: Any, teams: Any, admin: Any, rep: Any, other_manager: Any, badge: Any, east_cert: Any
) -> None:
    requirement_create(
        org=org, actor=admin.user, name="West cloud", scope="team", team=teams["west_mm"],
        effective_from=D(2026, 1, 1),
        certifications=[CertificationAsk(badge, "after_join", due_days=30)],
    )  # fmt: skip
    assert "East cloud" in {i.requirement for i in person_compliance(rep, D(2026, 5, 20))}
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC), tick=False):
        person_update(person=rep, actor=admin.user, team=teams["west_mm"], manager=other_manager)

    assert team_join_days([rep]) == {rep.pk: D(2026, 5, 1)}
    items = person_compliance(rep, D(2026, 5, 20))
    assert [(i.requirement, i.state, i.due) for i in items] == [
        ("West cloud", DUE_SOON, D(2026, 5, 31)),
    ]
    assert person_compliance(rep, D(2026, 6, 1))[0].state == OVERDUE


def test_with_no_move_on_record_the_hire_date_is_the_join_day(rep: Any, admin: Any) -> None:
    assert team_join_days([rep]) == {rep.pk: D(2022, 3, 1)}
    person_update(person=rep, actor=admin.user, hire_date=None)
    assert team_join_days([rep]) == {rep.pk: None}


def test_a_rule_some_cannot_reach_is_set_and_the_page_says_whom(
    teams: Any, manager: Any, rep: Any, rep2: Any, admin: Any, badge: Any
) -> None:
    person_update(person=rep2, actor=admin.user, hire_date=None)
    client = client_for(manager)

    response = client.post("/learning/requirements/", {
        "name": "First weeks", "scope": "team", "team": teams["east_ent"].pk,
        "effective_from": "2026-05-20", "certifications": [badge.pk],
        "certification_due_rule": "after_hire", "certification_due_days": "45",
    })  # fmt: skip

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Who it cannot apply to yet" in page
    assert "Rita Rep: no hire date on record" in page
    assert "Rick Rep:" not in page
    assert "Cloud badge, held valid (within 45 days of the hire date)" in page
    mine = client_for(rep2).get("/learning/").content.decode()
    assert "Not computable" in mine


def test_bad_certification_asks_name_the_field(org: Any, admin: Any, badge: Any, globex: Any):
    def create(*asks: CertificationAsk) -> dict[str, list[str]]:
        with pytest.raises(ValidationError) as caught:
            requirement_create(org=org, actor=admin.user, name="Bad", scope="company",
                               effective_from=D(2026, 1, 1), certifications=list(asks))  # fmt: skip
        return caught.value.message_dict

    assert (
        "days after joining the team, from 1 to 3650"
        in create(CertificationAsk(badge, "after_join"))["certification_due_days"][0]
    )
    assert (
        "a due date is needed"
        in create(CertificationAsk(badge, "absolute"))["certification_due_date"][0]
    )
    other = certification_create(org=globex["admin"].org, actor=globex["admin"].user,
                                 name="Theirs", validity_months=12)  # fmt: skip
    assert (
        "another organization"
        in create(CertificationAsk(other, "absolute", due_date=D(2026, 6, 1)))["certifications"][0]
    )
    assert (
        "Each certification once"
        in create(
            CertificationAsk(badge, "absolute", due_date=D(2026, 6, 1)),
            CertificationAsk(badge, "after_hire", due_days=10),
        )["certifications"][0]
    )
