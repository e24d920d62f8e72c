"""Explain: every scorecard number opens the records it counts and its formula with the figures
written in. Expected values are worked out by hand from the facts below."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from charter.conftest import client_for, deal_fact
from charter.crm import services as crm_services
from charter.crm.models import Activity, CsatResponse, Deal
from charter.kpis import services
from charter.kpis.explain import KpiNotFound, Subject, explain, metric_records, records_total
from charter.kpis.library import BUILTINS
from charter.kpis.metrics import METRICS
from charter.kpis.models import KpiDefinition
from charter.kpis.selectors.calendar import period_of
from charter.kpis.selectors.scorecards import org_scorecard, person_scorecards, team_scorecard
from charter.org.models import Organization, Person

D = dt.date
UTC = dt.UTC
Q2 = "2017-Q2"


def _owner(person: Person) -> dict[str, Any]:
    return {"owner_id": person.pk, "owner_raw": person.full_name, "owner_key": ""}


def deal(
    eid: str,
    owner: Person,
    stage: str,
    amount: str,
    created: dt.date,
    closed: dt.date | None,
    name: str = "",
) -> dict[str, Any]:
    row = deal_fact(eid, owner, amount, created=created, closed=closed, stage=stage)
    return row | _owner(owner) | {"name": name or eid, "account": f"Account {eid}"}


def activity(eid: str, owner: Person, kind: str, at: dt.datetime) -> dict[str, Any]:
    return {"external_id": eid, **_owner(owner), "kind": kind, "occurred_at": at, "subject": eid}


def csat(eid: str, owner: Person, score: str, scale: int, day: dt.date) -> dict[str, Any]:
    return {
        "external_id": eid,
        **_owner(owner),
        "score": Decimal(score),
        "scale": scale,
        "date": day,
    }


def upsert(org: Organization, model: Any, rows: list[dict[str, Any]]) -> None:
    crm_services.facts_upsert(model=model, org=org, source="file", rows=rows, run=None)


@pytest.fixture
def facts(org: Organization, rep: Person, rep2: Person, other_team_rep: Person) -> Organization:
    """Rick (rep): in Q2 won 1,000 and 500, lost one; won 700 in Q3. Rita (rep2, same team):
    won 2,000 and lost one in Q2. Olga (other team): won 4,000 in Q2. Calls at the time-zone
    edges of New York, and two CSAT answers on different scales."""
    org.time_zone = "America/New_York"
    org.save()
    upsert(
        org,
        Deal,
        [
            deal("d1", rep, "won", "1000", D(2017, 4, 3), D(2017, 4, 20), "Acme renewal"),
            deal("d2", rep, "won", "500", D(2017, 5, 1), D(2017, 6, 10), "Birch upsell"),
            deal("d3", rep, "lost", "300", D(2017, 4, 5), D(2017, 5, 15)),
            deal("d4", rep, "won", "700", D(2017, 6, 1), D(2017, 7, 5)),
            deal("d5", rep, "open", "900", D(2017, 5, 2), None),
            deal("r1", rep2, "won", "2000", D(2017, 4, 10), D(2017, 5, 20)),
            deal("r2", rep2, "lost", "100", D(2017, 3, 1), D(2017, 6, 1)),
            deal("o1", other_team_rep, "won", "4000", D(2017, 4, 1), D(2017, 4, 25)),
        ],
    )
    upsert(
        org,
        Activity,
        [
            # 23:30 on 30 June in New York: June, so Q2, though already July in UTC.
            activity("late", rep, "call", dt.datetime(2017, 7, 1, 3, 30, tzinfo=UTC)),
            # 23:30 on 31 March in New York: Q1, though already April in UTC.
            activity("early", rep, "call", dt.datetime(2017, 4, 1, 3, 30, tzinfo=UTC)),
            activity("mid", rep, "call", dt.datetime(2017, 6, 15, 15, 0, tzinfo=UTC)),
            activity("mail", rep, "email", dt.datetime(2017, 5, 1, 15, 0, tzinfo=UTC)),
        ],
    )
    upsert(
        org,
        CsatResponse,
        [
            csat("c1", rep, "8", 10, D(2017, 5, 2)),  # 4 points of 5
            csat("c2", rep, "4.5", 5, D(2017, 5, 3)),
        ],
    )
    return org


def q2(org: Organization) -> Any:
    return period_of(org, Q2)


def eids(rows: Any) -> list[str]:
    return [r.external_id for r in rows]


# --- the selector ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_revenue_won_lists_exactly_the_two_q2_deals(facts: Organization, rep: Person) -> None:
    x = explain(Subject.of_person(rep), q2(facts), "revenue_won")
    assert x.formula == "deals_won_amount"
    assert x.result.actual == Decimal(1500)
    [won] = x.records
    assert won.key == "deals_won_amount"
    assert eids(won.rows) == ["d1", "d2"]
    assert (won.count, won.total) == (2, Decimal(1500))
    assert [won.value_of(r) for r in won.rows] == [Decimal(1000), Decimal(500)]


@pytest.mark.django_db
def test_win_rate_substitutes_the_figures(facts: Organization, rep: Person) -> None:
    x = explain(Subject.of_person(rep), q2(facts), "win_rate")
    assert x.formula == "deals_won_count / (deals_won_count + deals_lost_count)"
    assert x.substituted == "2 / (2 + 1)"
    assert x.result.actual is not None
    assert round(x.result.actual, 1) == Decimal("66.7")
    by_key = {r.key: r for r in x.records}
    assert eids(by_key["deals_won_count"].rows) == ["d1", "d2"]
    assert eids(by_key["deals_lost_count"].rows) == ["d3"]


@pytest.mark.django_db
def test_team_and_org_win_rates_come_from_summed_counts(facts: Organization, teams: Any) -> None:
    team = explain(Subject.of_team(teams["east_ent"]), q2(facts), "win_rate")
    # Rick 2 won 1 lost, Rita 1 won 1 lost: 3 / 5, not the mean of 66.7% and 50%.
    assert team.substituted == "3 / (3 + 2)"
    assert team.result.actual == Decimal(60)
    assert eids(team.records_of("deals_lost_count").rows) == ["d3", "r2"]  # type: ignore[union-attr]
    org = explain(Subject.of_org(facts), q2(facts), "win_rate")
    assert org.substituted == "4 / (4 + 2)"
    assert eids(org.records_of("deals_won_count").rows) == ["d1", "o1", "r1", "d2"]  # type: ignore[union-attr]


@pytest.mark.django_db
def test_calls_land_on_the_org_local_day(facts: Organization, rep: Person) -> None:
    x = explain(Subject.of_person(rep), q2(facts), "activities_calls")
    [calls] = x.records
    assert eids(calls.rows) == ["mid", "late"]
    assert x.result.actual == Decimal(2)
    q1 = explain(Subject.of_person(rep), period_of(facts, "2017-Q1"), "activities_calls")
    assert eids(q1.records[0].rows) == ["early"]
    june = explain(Subject.of_person(rep), period_of(facts, "2017-06"), "activities_calls")
    assert eids(june.records[0].rows) == ["mid", "late"]
    july = explain(Subject.of_person(rep), period_of(facts, "2017-07"), "activities_calls")
    assert eids(july.records[0].rows) == []


@pytest.mark.django_db
def test_cycle_days_and_csat_records_add_up_like_the_rollups(
    facts: Organization, rep: Person
) -> None:
    cycle = explain(Subject.of_person(rep), q2(facts), "avg_cycle_days")
    # d1: 3 Apr → 20 Apr = 17 days; d2: 1 May → 10 Jun = 40 days.
    assert cycle.substituted == "57 / 2"
    assert cycle.result.actual == Decimal("28.5")
    days = cycle.records_of("won_cycle_days_sum")
    assert days is not None
    assert [days.value_of(r) for r in days.rows] == [17, 40]
    assert days.total == 57
    score = explain(Subject.of_person(rep), q2(facts), "csat_avg")
    # 8 of 10 is 4 points of 5, plus 4.5: 8.5 points over 2 answers.
    assert score.substituted == "8.50 / 2"
    assert score.result.actual == Decimal("4.25")
    points = score.records_of("csat_score_sum")
    assert points is not None
    assert (points.count, points.total) == (2, Decimal("8.5"))


@pytest.mark.django_db
@pytest.mark.parametrize("builtin", [b.key for b in BUILTINS])
def test_records_sum_to_the_scorecard_figure_for_every_builtin(
    facts: Organization, rep: Person, teams: Any, builtin: str
) -> None:
    period = q2(facts)
    cards = {
        "person": (Subject.of_person(rep), person_scorecards(facts, period, [rep])[0]),
        "team": (Subject.of_team(teams["east"]), team_scorecard(facts, period, teams["east"])),
        "org": (Subject.of_org(facts), org_scorecard(facts, period)),
    }
    for subject, card in cards.values():
        figure = card.result(builtin)
        assert figure is not None
        for key, value in figure.metrics.items():
            rows = metric_records(subject, METRICS[key], period)
            assert records_total(METRICS[key], rows)[1] == value, (subject.ref, key)
            # The same sum, record by record, from what the page shows each one adds.
            getter = explain(subject, period, builtin).records_of(key)
            assert getter is not None
            assert sum((getter.value_of(r) for r in rows), Decimal(0)) == value


@pytest.mark.django_db
def test_target_proration_lists_each_revision_with_its_days(
    facts: Organization, rep: Person, teams: Any, admin: Person
) -> None:
    period = q2(facts)
    kpi = KpiDefinition.objects.get(org=facts, key="revenue_won")
    services.target_set(
        org=facts, kpi=kpi, period=period, value="3000", actor=admin.user, person=rep
    )
    services.target_set(
        org=facts,
        kpi=kpi,
        period=period,
        value="6000",
        actor=admin.user,
        person=rep,
        effective_from=D(2017, 6, 1),
        reason="Territory grew",
    )
    x = explain(Subject.of_person(rep), period, "revenue_won")
    # April and May (61 days) at 3,000, June (30 days) at 6,000, over 91 days.
    assert [(s.revision.value, s.days) for s in x.target.spans] == [(3000, 61), (6000, 30)]
    assert x.target.spans[1].revision.reason == "Territory grew"
    assert x.result.target == Decimal(363000) / 91
    assert x.target.value == x.result.target
    page = client_for(rep).get(_url("person", rep.pk, "revenue_won"), {"period": Q2})
    text = page.content.decode()
    assert "(3,000 \u00d7 61 + 6,000 \u00d7 30) \u00f7 91 days = $3,989.01" in text
    assert "$1,500 \u00f7 $3,989 = 37.6%" in text
    assert "Territory grew" in text
    team = explain(Subject.of_team(teams["east_ent"]), period, "revenue_won")
    assert team.target.summed_from == "members"
    assert [(p.name, p.value) for p in team.target.parts] == [("Rick Rep", Decimal(363000) / 91)]
    assert team.result.target == Decimal(363000) / 91


@pytest.mark.django_db
def test_a_closed_period_shows_the_frozen_figure_and_the_restated_one(
    facts: Organization, rep: Person, admin: Person
) -> None:
    period = q2(facts)
    services.period_close(org=facts, period=period, actor=admin.user)
    upsert(facts, Deal, [deal("late", rep, "won", "250", D(2017, 6, 2), D(2017, 6, 28))])
    x = explain(Subject.of_person(rep), period, "revenue_won")
    assert x.closed is not None
    assert x.result.actual == Decimal(1500)
    assert x.live is not None
    assert x.live.actual == Decimal(1750)
    [won] = x.records
    assert (won.shown, won.live, won.total) == (Decimal(1500), Decimal(1750), Decimal(1750))
    page = client_for(rep).get(_url("person", rep.pk, "revenue_won"), {"period": Q2})
    text = page.content.decode()
    assert "$1,500" in text
    assert "$1,750" in text
    assert "restated" in text


@pytest.mark.django_db
def test_an_unknown_kpi_is_not_found(facts: Organization, rep: Person) -> None:
    with pytest.raises(KpiNotFound):
        explain(Subject.of_person(rep), q2(facts), "no_such_kpi")


# --- the pages ------------------------------------------------------------------------------


def _url(kind: str, pk: int | None, key: str, fmt: str = "") -> str:
    name = f"kpis:explain_{kind}" + ("_export" if fmt else "")
    kwargs: dict[str, Any] = {"key": key}
    if kind != "org":
        kwargs[f"{kind}_id"] = pk
    if fmt:
        kwargs["fmt"] = fmt
    return reverse(name, kwargs=kwargs)


def _record_rows(html: str) -> int:
    return html.count('data-label="Counts on"')


@pytest.mark.django_db
def test_the_page_shows_formula_figures_and_records(facts: Organization, rep: Person) -> None:
    response = client_for(rep).get(_url("person", rep.pk, "win_rate"), {"period": Q2})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Win rate" in text
    assert "win_rate = deals_won_count / (deals_won_count + deals_lost_count)" in text
    assert "<code data-substituted>2 / (2 + 1)</code>" in text
    assert "66.7%" in text
    assert _record_rows(text) == 3  # two won, one lost
    assert 'id="records-deals_won_count"' in text
    assert 'id="records-deals_lost_count"' in text


@pytest.mark.django_db
def test_the_record_total_on_the_page_matches_the_figure(facts: Organization, rep: Person) -> None:
    response = client_for(rep).get(_url("person", rep.pk, "revenue_won"), {"period": Q2})
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
    url = _url("person", rep.pk, "activities_calls")
    client = client_for(rep)
    first = client.get(url, {"period": Q2}).content.decode()
    assert _record_rows(first) == 25
    assert "Page 1 of 2" in first
    second = client.get(
        url, {"period": Q2, "records": "activities_call_count", "page": "2"}, HTTP_HX_REQUEST="true"
    )
    text = second.content.decode()
    assert "<html" not in text  # just the table
    assert _record_rows(text) == 5
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
        _url("person", rep.pk, "revenue_won", "csv"), {"period": Q2, "metric": "deals_won_amount"}
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
        _url("person", rep.pk, "win_rate", "xlsx"), {"period": Q2, "metric": "deals_lost_count"}
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
        _url("person", rep.pk, "activities_calls", "csv"), {"period": Q2}
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
        _url("person", rep.pk, "revenue_won", "csv"), {"period": Q2, "metric": "csat_count"}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_unknown_kpi_and_period_are_not_found(facts: Organization, rep: Person) -> None:
    client = client_for(rep)
    assert client.get(_url("person", rep.pk, "nope"), {"period": Q2}).status_code == 404
    assert client.get(_url("person", rep.pk, "win_rate"), {"period": "Q9"}).status_code == 404


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
    assert client.get(_url("person", pk, "revenue_won"), {"period": Q2}).status_code == expected
    export = client.get(_url("person", pk, "revenue_won", "csv"), {"period": Q2})
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
    response = client.get(_url("team", pk, "win_rate"), {"period": Q2})
    assert response.status_code == page
    export = client.get(_url("team", pk, "win_rate", "csv"), {"period": Q2})
    if page == 404:
        assert export.status_code == 404
        return
    text = response.content.decode()
    assert "data-substituted" in text  # the formula and sums are shown either way
    assert ("data-records-hidden" not in text) == records
    assert (_record_rows(text) > 0) == records
    assert export.status_code == (200 if records else 403)


@pytest.mark.django_db
def test_a_rep_reads_their_team_figure_with_a_note_instead_of_records(
    facts: Organization, rep: Person, teams: Any
) -> None:
    text = client_for(rep).get(_url("team", teams["east_ent"].pk, "win_rate"), {"period": Q2})
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
    response = client.get(_url("org", None, "revenue_won"), {"period": Q2})
    assert response.status_code == page
    export = client.get(_url("org", None, "revenue_won", "xlsx"), {"period": Q2})
    assert export.status_code == (200 if records else 403)
    if page == 200:
        assert ("data-records-hidden" not in response.content.decode()) == records


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(facts: Organization, rep: Person) -> None:
    response = client_for(None).get(_url("person", rep.pk, "revenue_won"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- the API --------------------------------------------------------------------------------

API = "/api/v1/kpis/explain/"


def _api(person: Person | None, **params: Any) -> Any:
    return client_for(person).get(API, params)


@pytest.mark.django_db
def test_api_explains_a_person_figure_with_its_records(facts: Organization, rep: Person) -> None:
    response = _api(rep, subject=f"person:{rep.pk}", period=Q2, kpi="win_rate")
    assert response.status_code == 200
    data = response.json()
    assert data["kpi"]["key"] == "win_rate"
    assert data["period"] == {
        "label": Q2,
        "kind": "quarter",
        "start": "2017-04-01",
        "end": "2017-06-30",
    }
    assert data["subject"] == {"kind": "person", "id": rep.pk, "name": "Rick Rep"}
    assert data["formula"] == "deals_won_count / (deals_won_count + deals_lost_count)"
    assert data["substituted"] == "2 / (2 + 1)"
    assert data["metrics"] == {"deals_won_count": "2", "deals_lost_count": "1"}
    assert data["actual"] == "66.6667"
    assert data["target"] is None
    assert data["closed"] is False
    won = data["records"]["deals_won_count"]
    assert (won["count"], won["total"], won["next"]) == (2, "2", None)
    assert [r["external_id"] for r in won["results"]] == ["d1", "d2"]
    assert [r["counts_on"] for r in won["results"]] == ["2017-04-20", "2017-06-10"]
    assert [r["adds"] for r in won["results"]] == ["1", "1"]
    assert [r["external_id"] for r in data["records"]["deals_lost_count"]["results"]] == ["d3"]


@pytest.mark.django_db
def test_api_pages_through_one_metric(org: Organization, rep: Person) -> None:
    start = dt.datetime(2017, 5, 1, 14, 0, tzinfo=UTC)
    upsert(
        org,
        Activity,
        [activity(f"c{i:02d}", rep, "call", start + dt.timedelta(hours=i)) for i in range(60)],
    )
    first = _api(rep, subject=f"person:{rep.pk}", period=Q2, kpi="activities_calls").json()
    calls = first["records"]["activities_call_count"]
    assert (calls["count"], calls["total"], len(calls["results"])) == (60, "60", 50)
    assert "metric=activities_call_count" in calls["next"]
    assert "page=2" in calls["next"]
    second = client_for(rep).get(calls["next"]).json()
    rest = second["records"]["activities_call_count"]
    assert [r["external_id"] for r in rest["results"]] == [f"c{i}" for i in range(50, 60)]
    assert rest["next"] is None
    assert rest["previous"] is not None


@pytest.mark.django_db
def test_api_team_records_are_null_for_a_rep(facts: Organization, rep: Person, teams: Any) -> None:
    data = _api(rep, subject=f"team:{teams['east_ent'].pk}", period=Q2, kpi="win_rate").json()
    assert data["substituted"] == "3 / (3 + 2)"
    assert data["actual"] == "60"
    assert data["records"] is None
    assert data["records_note"]


@pytest.mark.django_db
def test_api_restated_figure_of_a_closed_period(
    facts: Organization, rep: Person, admin: Person
) -> None:
    services.period_close(org=facts, period=q2(facts), actor=admin.user)
    upsert(facts, Deal, [deal("late", rep, "won", "250", D(2017, 6, 2), D(2017, 6, 28))])
    data = _api(admin, subject=f"person:{rep.pk}", period=Q2, kpi="revenue_won").json()
    assert (data["closed"], data["actual"]) == (True, "1500")
    assert data["restated"]["actual"] == "1750"
    assert data["records"]["deals_won_amount"]["total"] == "1750"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("viewer", "subject", "expected"),
    [
        (None, "org", 401),
        ("rep", "org", 403),
        ("manager", "org", 200),
        ("admin", "org", 200),
        ("rep", "person:rep2", 404),
        ("other_manager", "person:rep", 404),
        ("manager", "person:rep", 200),
        ("other_manager", "team:east_ent", 404),
        ("executive", "team:east_ent", 200),
        ("rep", "nobody", 400),
    ],
)
def test_api_access(
    facts: Organization,
    everyone: dict[str, Person],
    teams: Any,
    viewer: str | None,
    subject: str,
    expected: int,
) -> None:
    kind, _, name = subject.partition(":")
    if kind == "person":
        subject = f"person:{everyone[name].pk}"
    elif kind == "team":
        subject = f"team:{teams[name].pk}"
    person = everyone[viewer] if viewer else None
    response = _api(person, subject=subject, period=Q2, kpi="revenue_won")
    assert response.status_code == expected


@pytest.mark.django_db
def test_api_refuses_unknown_kpi_period_and_metric(facts: Organization, rep: Person) -> None:
    me = f"person:{rep.pk}"
    assert _api(rep, subject=me, period=Q2, kpi="nope").status_code == 404
    assert _api(rep, subject=me, period="Q9", kpi="win_rate").status_code == 400
    wrong_metric = _api(rep, subject=me, period=Q2, kpi="win_rate", metric="csat_count")
    assert wrong_metric.status_code == 404
    org_rows = _api(rep, subject="org", period=Q2, kpi="win_rate")
    assert org_rows.status_code == 403
