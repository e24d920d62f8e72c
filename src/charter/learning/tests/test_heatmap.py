"""The team heatmap and its spreadsheet: hand-computed cells and totals, who may see them, and a
query count that does not grow with the team."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.conftest import client_for, make_person
from charter.learning.services.completions import completion_report, completion_review
from charter.learning.services.requirements import Ask, requirement_create
from charter.org.models import Role


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def onboarding(org, teams, admin, company_training, team_training):
    return requirement_create(
        org=org, actor=admin.user, name="East onboarding", scope="team", team=teams["east"],
        effective_from=dt.date(2026, 1, 1), hours=Decimal("4"), hours_period="month",
        asks=[Ask(training=company_training, due_rule="absolute", due_date=dt.date(2026, 5, 1)),
              Ask(training=team_training, due_rule="after_hire", due_days=30)],
    )  # fmt: skip


@pytest.fixture
def rep_hours(org, admin):
    return requirement_create(
        org=org, actor=admin.user, name="Rep hours", scope="role", role=Role.REP,
        effective_from=dt.date(2026, 1, 1), hours=Decimal("5"), hours_period="month",
    )  # fmt: skip


def _done(person, training, manager, day, hours="2"):
    completion = completion_report(
        person=person, actor=person.user, training=training, completed_on=day, hours=hours
    )
    completion_review(completion=completion, actor=manager.user, approve=True)


@pytest.fixture
def world(rep, rep2, manager, onboarding, rep_hours, company_training, team_training):
    # Rick: the company training in April, nothing in May: onboarding overdue (the team training
    # was due 30 days after his 2022 hire), May's 5 rep hours due soon (May ends in 11 days).
    _done(rep, company_training, manager, dt.date(2026, 4, 20))
    # Rita: both trainings, 6 hours in May: everything done.
    _done(rep2, company_training, manager, dt.date(2026, 4, 20))
    _done(rep2, team_training, manager, dt.date(2026, 5, 2), hours="6")
    # Mona: nothing; the rep requirement does not reach a manager.


def _url(teams, suffix="heatmap/"):
    return f"/learning/teams/{teams['east_ent'].pk}/{suffix}"


def _cells(page, name):
    row = page.split(f">{name}</a></th>", 1)[1].split("</tr>", 1)[0]
    return [cell.split("</span> ", 1)[1].split("</span>")[0] for cell in row.split("<td")[1:3]]


def test_heatmap_cells_and_totals_hand_computed(teams, manager, world):
    page = client_for(manager).get(_url(teams)).content.decode()
    assert "<caption>" in page
    assert '<th scope="col"><a href="/learning/requirements/' in page
    assert _cells(page, "Rick Rep") == ["Overdue", "Due soon"]
    assert _cells(page, "Rita Rep") == ["Done", "Done"]
    assert _cells(page, "Mona Manager") == ["Overdue", "Not applicable"]
    # Each state is a symbol and a word, never a colour alone.
    assert '<span aria-hidden="true">✗</span> Overdue' in page
    # Per-requirement totals: onboarding 2 overdue, 1 done; rep hours 1 due soon, 1 done, 1 n/a.
    foot = page.split("<tfoot>", 1)[1]
    overdue = foot.split("Overdue (people)</th>", 1)[1].split("</tr>", 1)[0]
    assert overdue.count('<td class="num">') == 2
    assert '<td class="num">2</td><td class="num">0</td>' in overdue
    done = foot.split("Done (people)</th>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">1</td><td class="num">1</td>' in done
    # Per-person totals (overdue, due soon, due, done, not applicable) close Rick's row.
    rick = page.split(">Rick Rep</a></th>", 1)[1].split("</tr>", 1)[0]
    assert rick.endswith(
        '<td class="num">1</td><td class="num">1</td><td class="num">0</td>'
        '<td class="num">0</td><td class="num">0</td>\n  '
    )


def test_heatmap_leaves_out_requirements_reaching_nobody_in_the_team(
    org, teams, admin, other_manager, other_team_rep, world
):
    # West Mid-Market: Olga is a rep, so only "Rep hours" reaches anyone there.
    page = client_for(admin).get(f"/learning/teams/{teams['west_mm'].pk}/heatmap/").content
    assert b"Rep hours" in page
    assert b"East onboarding" not in page


def test_heatmap_is_for_the_teams_managers_admins_and_executives(
    teams, rep, manager, other_manager, admin, executive, world
):
    for person in (rep, other_manager):
        assert client_for(person).get(_url(teams)).status_code == 404
        assert client_for(person).get(_url(teams, "learning.xlsx")).status_code == 404
    for person in (manager, admin, executive):
        assert client_for(person).get(_url(teams)).status_code == 200
    # The team's own list links both the heatmap and the workbook beside the CSV.
    listing = client_for(manager).get(_url(teams, "")).content.decode()
    assert _url(teams) in listing
    assert _url(teams, "learning.xlsx") in listing


def _people(org, teams, manager, count):
    for n in range(count):
        person = make_person(org, f"Extra Rep {n:02}", Role.REP, team=teams["east_ent"],
                             manager=manager)  # fmt: skip
        yield person


def test_heatmap_costs_as_many_queries_for_30_people_as_for_3(
    org, teams, manager, world, company_training, django_assert_max_num_queries
):
    client = client_for(manager)
    with CaptureQueriesContext(connection) as three:
        assert client.get(_url(teams)).status_code == 200
    for person in _people(org, teams, manager, 27):
        _done(person, company_training, manager, dt.date(2026, 5, 3))
    with django_assert_max_num_queries(len(three)):
        page = client.get(_url(teams)).content.decode()
    assert page.count('<th scope="row"><a href="/learning/people/') == 30


def test_workbook_holds_the_grid_with_totals_and_the_items(teams, rep, manager, world):
    from openpyxl import load_workbook

    from charter.org.services import person_update

    person_update(person=rep, actor=None, full_name="=HYPERLINK(1) Rep")
    response = client_for(manager).get(_url(teams, "learning.xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="east-enterprise-learning-2026-05-20.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.getvalue()))
    assert book.sheetnames == ["Heatmap", "Items"]
    grid = list(book["Heatmap"].iter_rows(values_only=True))
    assert grid[0] == ("Person", "Team", "East onboarding", "Rep hours", "Overdue", "Due soon",
                       "Due", "Done", "Not applicable")  # fmt: skip
    rows = {r[0]: r[2:] for r in grid[1:4]}
    assert rows["'=HYPERLINK(1) Rep"] == ("✗ Overdue", "◔ Due soon", 1, 1, 0, 0, 0)
    assert rows["Rita Rep"] == ("✓ Done", "✓ Done", 0, 0, 0, 2, 0)
    totals = {r[0]: r[2:4] for r in grid[4:]}
    assert totals["Overdue (people)"] == (2, 0)
    assert totals["Not applicable (people)"] == (0, 1)
    items = list(book["Items"].iter_rows(values_only=True))
    assert len(items) == 1 + 3 * 3 + 2  # three onboarding items each, and the two reps' hours
    assert items[0][:6] == ("Person", "Email", "Team", "Requirement", "Item", "State")
