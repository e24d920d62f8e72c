"""The world the URLs point at: the fixture, and the objects some rows make on first use.

Most objects are outside some persona's scope on purpose (another rep's record, another team's
document), so the matrix checks scope, not only roles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from charter.accounts.models import ApiToken
from charter.conftest import make_person
from charter.core import jobs
from charter.core.models import ImportRun
from charter.org import services
from charter.org.models import OwnerAlias, Person, Role


@dataclass
class World:
    """The objects the URLs point at. Most are outside some persona's scope on purpose."""

    people: dict[str, Person]
    teams: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if name in self.people:
            return self.people[name]
        if name in self.objects:
            return self.objects[name]
        raise AttributeError(name)


# --- the world ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(everyone, teams, org) -> World:
    admin_user = everyone["admin"].user
    newbie = make_person(
        org, "Nina New", Role.REP, team=teams["east_ent"], manager=everyone["manager"], login=False
    )
    invitee = make_person(
        org,
        "Ivan Invitee",
        Role.REP,
        team=teams["east_ent"],
        manager=everyone["manager"],
        login=False,
    )
    services.person_invite(person=invitee, actor=admin_user)
    invitee.refresh_from_db()
    gone = make_person(org, "Gina Gone", Role.REP, manager=everyone["manager"])
    services.person_deactivate(person=gone, actor=admin_user, leave_date=dt.date(2026, 1, 31))
    run = ImportRun.objects.create(
        org=org,
        kind="people",
        filename="people.csv",
        status=ImportRun.Status.REJECTED,
        errors=[{"row": 2, "column": "name", "value": "", "reason": "missing"}],
        created_by=admin_user,
    )
    token_user = everyone["manager"].user
    raw = "chr_matrix_" + "x" * 30
    token = ApiToken.objects.create(
        user=token_user, name="matrix", prefix=raw[:12], token_hash=ApiToken.hash(raw)
    )
    expectation_objects = _expectations_world(everyone, teams, org)
    crm_run = ImportRun.objects.create(
        org=org,
        kind="deals",
        filename="deals.csv",
        status=ImportRun.Status.REJECTED,
        errors=[{"row": 3, "column": "amount", "value": "abc", "reason": "not a number"}],
        created_by=admin_user,
    )
    return World(
        people={**everyone, "newbie": newbie, "invitee": invitee, "gone": gone},
        teams=teams,
        objects={
            **expectation_objects,
            "crm_run": crm_run,
            **_crm_world(everyone, org),
            "manager_job": jobs.job_create(
                kind="import", title="Mona's import", org=org, actor=everyone["manager"].user
            ),
            "rita_alias": OwnerAlias.objects.create(
                org=org, person=everyone["rep2"], kind="name", value="rita r."
            ),
            "import_run": run,
            "manager_token": token,
        },
    )


def _expectations_world(everyone: dict[str, Person], teams: dict[str, Any], org: Any) -> dict:
    """A published East Enterprise team document with a question on it, and a company value."""
    from charter.expectations import services as ex
    from charter.expectations.models import Change, Distribution

    manager = everyone["manager"].user
    value = ex.value_create(org=org, actor=everyone["admin"].user, name="Ownership")
    document = ex.document_create(
        org=org, actor=manager, title="East rules", audience="team", audience_team=teams["east_ent"]
    )
    for each in document.sections.filter(provider=""):
        ex.expectation_add(
            section=each, actor=manager, title=each.title, text="Do it.", values=[value]
        )
    # The learning section follows live requirements, and a row makes East's requirement on
    # first use: without it, publishing again would find a change or not depending on the rows'
    # order (the publish rows expect "nothing changed").
    ex.section_delete(section=document.sections.get(provider="learning"), actor=manager)
    version = ex.document_publish(
        document=document, actor=manager, summary="v1", change=Change.MATERIAL, distribute=False
    )
    section = document.sections.filter(provider="").order_by("order").first()
    assert section is not None
    expectation = section.expectations.get()
    question = ex.question_ask(
        document=document,
        actor=everyone["rep"].user,
        expectation_key=str(expectation.key),
        text="Does email count?",
        visibility="public",
    )
    ex.question_answer(question=question, actor=manager, text="Yes.")
    return {
        "value": value,
        "team_doc": document,
        "team_section": section,
        "team_expectation": expectation,
        "question": question,
        "distribution": Distribution.objects.create(version=version, created_by=manager),
    }


def _crm_world(everyone: dict[str, Person], org: Any) -> dict:
    """One deal, activity and CSAT response of Rita (rep2, in manager's team)."""
    from decimal import Decimal

    from django.utils import timezone

    from charter.crm.models import Activity, CsatResponse, Deal

    rita = everyone["rep2"]
    common = {"org": org, "source": "salesforce", "owner": rita, "owner_raw": rita.full_name}
    return {
        "deal": Deal.objects.create(
            **common,
            external_id="006A",
            stage="won",
            amount=Decimal("1000"),
            currency="USD",
            amount_reporting=Decimal("1000"),
            created_date=dt.date(2026, 1, 5),
            close_date=dt.date(2026, 2, 5),
        ),
        "activity": Activity.objects.create(
            **common, external_id="00TA", kind="call", occurred_at=timezone.now()
        ),
        "csat": CsatResponse.objects.create(
            **common, external_id="S1", score=Decimal("4"), scale=5, date=dt.date(2026, 2, 6)
        ),
    }


def client_as(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        user = world.people[role].user
        assert user is not None, f"{role} cannot sign in"
        client.force_login(user)
    return client


# --- objects made on first use ------------------------------------------------------------


def last_quarter(w: World) -> str:
    from charter.core.periods import shift
    from charter.kpis.selectors.calendar import period_of

    org = w.admin.org
    return shift(period_of(org, None), -1, org.fiscal_year_start_month).label


def completions_run(w: World) -> ImportRun:
    """A rejected completions import by the admin (made on first use)."""
    run, _ = ImportRun.objects.get_or_create(
        org=w.admin.org,
        kind="completions",
        filename="completions.csv",
        defaults={
            "status": ImportRun.Status.REJECTED,
            "errors": [{"row": 2, "column": "hours", "value": "30", "reason": "over 24"}],
            "created_by": w.admin.user,
        },
    )
    return run


def rita_completion(w: World) -> Any:
    """Rita's pending completion of East Enterprise's training (made on first use)."""
    from charter.learning.models import Completion
    from charter.learning.services.completions import completion_report

    found = Completion.objects.filter(person=w.rep2).first()
    if found is None:
        found = completion_report(
            person=w.rep2,
            actor=w.rep2.user,
            training=east_training(w),
            completed_on=dt.date(2026, 1, 6),
            hours="2",
        )
    return found


def certification(w: World) -> Any:
    """A certification people can hold (made on first use)."""
    from charter.learning.models import Certification
    from charter.learning.services.certificates import certification_create

    found = Certification.objects.filter(org=w.admin.org, name="Matrix badge").first()
    if found is None:
        found = certification_create(
            org=w.admin.org, actor=w.admin.user, name="Matrix badge", validity_months=12
        )
    return found


def east_requirement(w: World) -> Any:
    """East Enterprise's requirement, set by its manager (made on first use)."""
    from charter.learning.models import Requirement
    from charter.learning.services.requirements import Ask, requirement_create

    found = Requirement.objects.filter(org=w.manager.org, name="East learning").first()
    if found is None:
        found = requirement_create(
            org=w.manager.org,
            actor=w.manager.user,
            name="East learning",
            scope="team",
            team=w.teams["east_ent"],
            effective_from=dt.date(2026, 1, 1),
            asks=[Ask(training=east_training(w), due_rule="after_hire", due_days=30)],
        )
    return found


def east_training(w: World) -> Any:
    """East Enterprise's training, added by its manager (made on first use)."""
    from charter.learning.models import Training
    from charter.learning.services.catalogue import training_create

    found = Training.objects.filter(org=w.manager.org, title="East discovery").first()
    if found is None:
        found = training_create(
            org=w.manager.org,
            actor=w.manager.user,
            title="East discovery",
            kind="shadowing",
            expected_hours=4,
            team=w.teams["east_ent"],
        )
    return found


def targets_run(w: World) -> ImportRun:
    """A rejected targets import by the admin (made on first use, like the world's others)."""
    run, _ = ImportRun.objects.get_or_create(
        org=w.admin.org,
        kind="targets",
        filename="targets.csv",
        defaults={
            "status": ImportRun.Status.REJECTED,
            "errors": [{"row": 2, "column": "kpi", "value": "x", "reason": "unknown"}],
            "created_by": w.admin.user,
        },
    )
    return run


def rita_request(w: World) -> Any:
    """Rita's open request to sign the team document."""
    from charter.expectations.models import SignatureRequest

    return SignatureRequest.objects.get(person=w.rep2, version__document=w.team_doc)


def rita_target(w: World) -> Any:
    """Rita's deals-won target for 2025-Q4, set once through the service."""
    from charter.core.periods import parse_period
    from charter.kpis import services as kpi_services
    from charter.kpis.models import KpiDefinition, Target

    rita = w.rep2
    found = Target.objects.filter(person=rita, period_label="2025-Q4").first()
    if found is None:
        kpi_services.target_set(
            org=rita.org,
            kpi=KpiDefinition.objects.get(org=rita.org, key="deals_won"),
            period=parse_period("2025-Q4", rita.org.fiscal_year_start_month),
            value="10",
            actor=None,
            person=rita,
        )
        found = Target.objects.get(person=rita, period_label="2025-Q4")
    return found
