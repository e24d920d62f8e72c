"""Explain pages and exports: the formula, figures and records of a number, and who may see
them. Expected values are worked out by hand from the facts in explain_facts.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from charter.conftest import client_for
from charter.crm.models import Activity, Deal
from charter.kpis.tests.explain_facts import (
    Q2,
    UTC,
    D,
    activity,
    deal,
    explain_url,
    record_rows,
    upsert,
)
from charter.kpis.tests.explain_facts import facts as facts  # the fixture
from charter.org.models import Organization, Person

# --- the pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_formula_figures_and_records(facts: Organization, rep: Person) -> None:
    response = client_for(rep).get(explain_url("person", rep.pk, "win_rate"), {"period": Q2})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Win rate" in text
    assert "win_rate = deals_won_count / (deals_won_count + deals_lost_count)" in text
    assert "<code data-substituted>2 / (2 + 1)</code>" in text
    assert "66.7%" in text
    assert record_rows(text) == 3  # two won, one lost
    assert 'id="records-deals_won_count"' in text
    assert 'id="records-deals_lost_count"' in text


@pytest.mark.django_db
def test_the_record_total_on_the_page_matches_the_figure(facts: Organization, rep: Person) -> None:
    response = client_for(rep).get(explain_url("person", rep.pk, "revenue_won"), {"period": Q2})
    text = response.content.decode()
    assert re.search(r"<strong data-total>\$1,500\.00</strong>", text)
    assert "matches the figure" in text
    assert "Acme renewal" in text
    assert "Birch upsell" in text
    # Won in Q3. Not a bare "d4": a random CSRF token on the page may contain those two letters.
    assert "Account d4" not in text


@pytest.mark.django_db
def test_records_page_in_place_with_htmx(org: Organization, rep: Person) -> None:
    start = dt.datetime(2017, 5, 1, 14, 0, tzinfo=UTC)
    upsert(
        org,
        Activity,
        [activity(f"c{i:02d}", rep, "call", start + dt.timedelta(hours=i)) for i in range(30)],
    )
    url = explain_url("person", rep.pk, "activities_calls")
    client = client_for(rep)
    first = client.get(url, {"period": Q2}).content.decode()
    assert record_rows(first) == 25
    assert "Page 1 of 2" in first
    second = client.get(
        url, {"period": Q2, "records": "activities_call_count", "page": "2"}, HTTP_HX_REQUEST="true"
    )
    text = second.content.decode()
    assert "<html" not in text  # just the table
    assert record_rows(text) == 5
    assert "c29" in text
    assert not re.search(r"\bc00\b", text)  # whole words: a CSRF token may hold "c00"
    assert "Page 2 of 2" in text
    assert "<strong data-total>30</strong>" in text


@pytest.mark.django_db
def test_csv_export_lists_the_records_with_a_formula_guard(
    facts: Organization, rep: Person
) -> None:
    upsert(
        facts,
        Deal,
        [deal("evil", rep, "won", "1", D(2017, 6, 5), D(2017, 6, 6), '=HYPERLINK("x")')],
    )
    response = client_for(rep).get(
        explain_url("person", rep.pk, "revenue_won", "csv"),
        {"period": Q2, "metric": "deals_won_amount"},
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["external_id"] for r in rows] == ["d1", "evil", "d2"]
    assert [r["counts_on"] for r in rows] == ["2017-04-20", "2017-06-06", "2017-06-10"]
    assert sum(Decimal(r["deals_won_amount"]) for r in rows) == Decimal(1501)
    assert rows[1]["name"] == '\'=HYPERLINK("x")'


@pytest.mark.django_db
def test_xlsx_export_of_one_metric(facts: Organization, rep: Person) -> None:
    response = client_for(rep).get(
        explain_url("person", rep.pk, "win_rate", "xlsx"),
        {"period": Q2, "metric": "deals_lost_count"},
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    rows = list(book.active.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "Counts on"
    assert header[-1] == "Deals lost count"
    assert [r[header.index("External ID")] for r in rows[1:]] == ["d3"]


@pytest.mark.django_db
def test_activity_export_writes_org_local_times(facts: Organization, rep: Person) -> None:
    response = client_for(rep).get(
        explain_url("person", rep.pk, "activities_calls", "csv"), {"period": Q2}
    )
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(body)))
    late = next(r for r in rows if r["external_id"] == "late")
    assert late["counts_on"] == "2017-06-30"
    assert late["occurred_at"] == "2017-06-30T23:30:00-04:00"


@pytest.mark.django_db
def test_an_export_of_a_metric_the_kpi_does_not_use_is_not_found(
    facts: Organization, rep: Person
) -> None:
    response = client_for(rep).get(
        explain_url("person", rep.pk, "revenue_won", "csv"), {"period": Q2, "metric": "csat_count"}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_unknown_kpi_and_period_are_not_found(facts: Organization, rep: Person) -> None:
    client = client_for(rep)
    assert client.get(explain_url("person", rep.pk, "nope"), {"period": Q2}).status_code == 404
    assert (
        client.get(explain_url("person", rep.pk, "win_rate"), {"period": "Q9"}).status_code == 404
    )


# --- who may see what -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("viewer", "subject", "expected"),
    [
        ("rep", "rep", 200),
        ("rep", "rep2", 404),
        ("rep2", "rep", 404),
        ("manager", "rep", 200),
        ("other_manager", "rep", 404),
        ("other_team_rep", "rep", 404),
        ("admin", "rep", 200),
        ("executive", "rep", 200),
    ],
)
def test_person_explain_access(
    facts: Organization, everyone: dict[str, Person], viewer: str, subject: str, expected: int
) -> None:
    client = client_for(everyone[viewer])
    pk = everyone[subject].pk
    assert (
        client.get(explain_url("person", pk, "revenue_won"), {"period": Q2}).status_code == expected
    )
    export = client.get(explain_url("person", pk, "revenue_won", "csv"), {"period": Q2})
    assert export.status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("viewer", "team", "page", "records"),
    [
        # A rep sees their own team's figures, never the records behind them; their region's
        # only where the organization allows it (kpis/tests/test_rep_team_totals.py).
        ("rep", "east_ent", 200, False),
        ("rep", "east", 404, False),
        ("rep", "west_mm", 404, False),
        ("manager", "east_ent", 200, True),
        ("other_manager", "east_ent", 404, False),
        ("other_manager", "west_mm", 200, True),
        ("other_team_rep", "east_ent", 404, False),
        ("admin", "east_ent", 200, True),
        ("executive", "east", 200, True),
    ],
)
def test_team_explain_access(
    facts: Organization,
    everyone: dict[str, Person],
    teams: Any,
    viewer: str,
    team: str,
    page: int,
    records: bool,
) -> None:
    client = client_for(everyone[viewer])
    pk = teams[team].pk
    response = client.get(explain_url("team", pk, "win_rate"), {"period": Q2})
    assert response.status_code == page
    export = client.get(explain_url("team", pk, "win_rate", "csv"), {"period": Q2})
    if page == 404:
        assert export.status_code == 404
        return
    text = response.content.decode()
    assert "data-substituted" in text  # the formula and sums are shown either way
    assert ("data-records-hidden" not in text) == records
    assert (record_rows(text) > 0) == records
    assert export.status_code == (200 if records else 403)


@pytest.mark.django_db
def test_a_rep_reads_their_team_figure_with_a_note_instead_of_records(
    facts: Organization, rep: Person, teams: Any
) -> None:
    text = client_for(rep).get(
        explain_url("team", teams["east_ent"].pk, "win_rate"), {"period": Q2}
    )
    page = text.content.decode()
    assert "3 / (3 + 2)" in page
    assert "listed only to managers" in page
    assert "Acme renewal" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("viewer", "page", "records"),
    [
        ("rep", 403, False),
        ("other_team_rep", 403, False),
        ("manager", 200, False),
        ("other_manager", 200, False),
        ("admin", 200, True),
        ("executive", 200, True),
    ],
)
def test_org_explain_access(
    facts: Organization, everyone: dict[str, Person], viewer: str, page: int, records: bool
) -> None:
    client = client_for(everyone[viewer])
    response = client.get(explain_url("org", None, "revenue_won"), {"period": Q2})
    assert response.status_code == page
    export = client.get(explain_url("org", None, "revenue_won", "xlsx"), {"period": Q2})
    assert export.status_code == (200 if records else 403)
    if page == 200:
        assert ("data-records-hidden" not in response.content.decode()) == records


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(facts: Organization, rep: Person) -> None:
    response = client_for(None).get(explain_url("person", rep.pk, "revenue_won"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_missing_target_links_to_the_grid_for_whoever_may_set_it(
    facts: Organization, rep: Person, manager: Person
) -> None:
    url = explain_url("person", rep.pk, "win_rate")
    as_manager = client_for(manager).get(url, {"period": Q2}).content.decode()
    assert (
        f'<a href="/kpis/targets/?team={rep.team_id}&amp;period=2017-Q2">Set a target for 2017-Q2'
        in as_manager
    )
    # The rep reads the same page without a way into a grid they may not use.
    as_rep = client_for(rep).get(url, {"period": Q2}).content.decode()
    assert "Target and attainment" in as_rep
    assert "/kpis/targets/" not in as_rep
