"""Targets that add up across periods (issue 18): monthly targets give the quarter and the
fiscal year theirs, an annual target gives each month its share, and every surface says where a
target came from. Every figure is worked out by hand below.

The organization's fiscal year starts in July: FY2020 runs 1 July 2019 - 30 June 2020 (366 days),
its first quarter `2020-Q1` is July, August and September 2019 (92 days). Today is 15 October
2019, so that quarter is over.

Rick's revenue targets: July 100,000; August 90,000, raised to 121,000 from 16 August (15 days
at 90,000, 16 at 121,000: (1,350,000 + 1,936,000) / 31 = 106,000); September 110,000. The
quarter's target is 100,000 + 106,000 + 110,000 = 316,000. Rita joined on 1 August: her targets
are August 50,000 and September 50,000, 100,000 for the quarter. Their team's quarter is
316,000 + 100,000 = 416,000.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from charter.conftest import client_for, deal_fact
from charter.core.models import AuditEvent
from charter.core.periods import parse_period
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.kpis import services
from charter.kpis.models import KpiDefinition, SeasonalityProfile
from charter.kpis.selectors.definitions import kpi_specs_by_period
from charter.kpis.selectors.scorecards import (
    org_scorecard,
    person_scorecards,
    person_trend,
    team_scorecard,
    team_scorecards,
)
from charter.kpis.selectors.targets import org_targets
from charter.org.models import Organization, Person

JULY = 7
TODAY = dt.date(2019, 10, 15)


@pytest.fixture(autouse=True)
def _mid_october_2019() -> Any:
    with time_machine.travel(dt.datetime(2019, 10, 15, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def july_org(org: Organization) -> Organization:
    org.fiscal_year_start_month = JULY
    org.save(update_fields=["fiscal_year_start_month"])
    return org


def period(label: str) -> Any:
    return parse_period(label, JULY)


def kpi(org: Organization, key: str) -> KpiDefinition:
    return KpiDefinition.objects.get(org=org, key=key)


def set_target(
    org: Organization, who: Person, key: str, label: str, value: str, **extra: Any
) -> None:
    services.target_set(
        org=org,
        kpi=kpi(org, key),
        period=period(label),
        value=value,
        actor=None,
        person=who,
        **extra,
    )


def rick_and_rita_months(org: Organization, rep: Person, rep2: Person) -> None:
    set_target(org, rep, "revenue_won", "2019-07", "100000")
    set_target(org, rep, "revenue_won", "2019-08", "90000")
    set_target(
        org,
        rep,
        "revenue_won",
        "2019-08",
        "121000",
        effective_from=dt.date(2019, 8, 16),
        reason="Took over the Boston accounts",
    )
    set_target(org, rep, "revenue_won", "2019-09", "110000")
    rep2.start_date = dt.date(2019, 8, 1)
    rep2.save(update_fields=["start_date"])
    set_target(org, rep2, "revenue_won", "2019-08", "50000")
    set_target(org, rep2, "revenue_won", "2019-09", "50000")


def target_of(card: Any, key: str) -> Any:
    return card.result(key).target


def card_of(org: Organization, who: Person, label: str) -> Any:
    return person_scorecards(org, period(label), [who], today=TODAY)[0]


def test_revisions_inside_a_month_roll_into_the_quarter_and_the_year(july_org, rep, rep2):
    rick_and_rita_months(july_org, rep, rep2)
    crm_services.facts_upsert(
        model=Deal,
        org=july_org,
        source="file",
        rows=[
            deal_fact(
                "w1",
                rep,
                "158000",
                created=dt.date(2019, 7, 20),
                closed=dt.date(2019, 8, 20),
            )
        ],
        run=None,
    )

    august = card_of(july_org, rep, "2019-08").result("revenue_won")
    assert august.target == Decimal(106000)
    quarter = card_of(july_org, rep, "2020-Q1").result("revenue_won")
    assert quarter.target == Decimal(316000)
    assert quarter.attainment == Decimal("0.5")  # 158,000 / 316,000
    assert quarter.target_source.kind == "sum"
    assert [(p.label, p.value) for p in quarter.target_source.parts] == [
        ("2019-07", Decimal(100000)),
        ("2019-08", Decimal(106000)),
        ("2019-09", Decimal(110000)),
    ]
    # The fiscal year has only its first quarter's months so far.
    year = card_of(july_org, rep, "FY2020").result("revenue_won")
    assert year.target == Decimal(316000)
    assert [p.label for p in year.target_source.parts] == ["2020-Q1"]


def test_someone_who_joined_mid_quarter_counts_only_their_months_in_the_team(
    july_org, teams, rep, rep2, manager
):
    rick_and_rita_months(july_org, rep, rep2)
    q1 = period("2020-Q1")

    rita = card_of(july_org, rep2, "2020-Q1").result("revenue_won")
    assert rita.target == Decimal(100000)
    team: Any = team_scorecard(july_org, q1, teams["east_ent"], today=TODAY).result("revenue_won")
    assert team.target == Decimal(416000)
    assert team.target_source.kind == "members"
    # The org-wide page reads every target once and gets the same figures.
    book = org_targets(july_org, q1)
    (lean,) = team_scorecards(july_org, q1, [teams["east_ent"]], today=TODAY, targets=book)
    assert target_of(lean, "revenue_won") == Decimal(416000)
    whole: Any = org_scorecard(july_org, q1, today=TODAY, targets=book).result("revenue_won")
    assert whole.target == Decimal(416000)
    everyone = person_scorecards(july_org, q1, [rep, rep2], today=TODAY, targets=book)
    assert [target_of(c, "revenue_won") for c in everyone] == [316000, 100000]


def test_a_rate_kpi_never_rolls_up_from_its_months(july_org, rep, admin):
    for month in ("2019-07", "2019-08", "2019-09"):
        set_target(july_org, rep, "win_rate", month, "30")
        set_target(july_org, rep, "deals_won", month, "4")

    quarter = card_of(july_org, rep, "2020-Q1")
    assert quarter.result("win_rate").target is None
    assert quarter.result("deals_won").target == 12
    assert card_of(july_org, rep, "2019-08").result("win_rate").target == 30

    page = client_for(admin).get(
        reverse("kpis:explain_person", args=[rep.pk, "win_rate"]), {"period": "2020-Q1"}
    )
    assert "never added up from shorter periods" in page.content.decode()
    scorecard = client_for(admin).get(reverse("kpis:person", args=[rep.pk]), {"period": "2020-Q1"})
    assert "data-ratio-note" in scorecard.content.decode()


def test_a_target_set_for_the_quarter_wins_and_the_difference_is_shown(july_org, rep, admin):
    for month in ("2019-07", "2019-08", "2019-09"):
        set_target(july_org, rep, "revenue_won", month, "400000")
    set_target(july_org, rep, "revenue_won", "2020-Q1", "1250000")

    result = card_of(july_org, rep, "2020-Q1").result("revenue_won")
    assert result.target == Decimal(1250000)
    assert result.target_source.kind == "set"
    assert result.target_source.parts_total == Decimal(1200000)

    page = client_for(admin).get(
        reverse("kpis:explain_person", args=[rep.pk, "revenue_won"]), {"period": "2020-Q1"}
    )
    text = page.content.decode()
    assert "the months add up to $1,200,000; the quarter&#x27;s target is $1,250,000" in text
    scorecard = client_for(admin).get(reverse("kpis:person", args=[rep.pk]), {"period": "2020-Q1"})
    assert "the months add up to $1,200,000" in scorecard.content.decode()


def test_an_annual_target_gives_each_month_its_share_by_days(july_org, rep):
    set_target(july_org, rep, "revenue_won", "FY2020", "366000")

    september = card_of(july_org, rep, "2019-09").result("revenue_won")
    assert september.target == Decimal(30000)  # 366,000 x 30 / 366
    assert september.target_source.kind == "share"
    assert september.target_source.period == "FY2020"
    quarter = card_of(july_org, rep, "2020-Q1").result("revenue_won")
    assert quarter.target == Decimal(92000)  # 366,000 x 92 / 366


def test_a_seasonality_profile_shares_the_year_by_month_weights(july_org, rep, admin):
    set_target(july_org, rep, "revenue_won", "FY2020", "1300000")
    # July weighs 2, every other month 1: 13 in all, so July is 2/13 of the year.
    weights = ["1"] * 12
    weights[6] = "2"
    services.seasonality_set(
        kpi=kpi(july_org, "revenue_won"),
        actor=admin.user,
        method="shares",
        shares=weights,
        effective_from=dt.date(2019, 7, 1),
        reason="July is when budgets reset",
    )

    july = card_of(july_org, rep, "2019-07").result("revenue_won")
    assert july.target == Decimal(200000)  # 1,300,000 x 2 / 13
    august = card_of(july_org, rep, "2019-08").result("revenue_won")
    assert august.target == Decimal(100000)
    assert "by the KPI's seasonality shares: 2 of 13" in _describe(july)
    event = AuditEvent.objects.get(action="kpis.seasonality.set")
    assert (event.after or {})["shares"][6] == "2"


def test_last_years_actuals_share_the_year(july_org, rep, rep2, admin):
    # FY2019's July and August (2018): 300 and 100 won across the organization.
    crm_services.facts_upsert(
        model=Deal,
        org=july_org,
        source="file",
        rows=[
            deal_fact("a", rep, "300", created=dt.date(2018, 7, 1), closed=dt.date(2018, 7, 9)),
            deal_fact("b", rep2, "100", created=dt.date(2018, 8, 1), closed=dt.date(2018, 8, 9)),
        ],
        run=None,
    )
    set_target(july_org, rep, "revenue_won", "FY2020", "1000")
    services.seasonality_set(
        kpi=kpi(july_org, "revenue_won"),
        actor=admin.user,
        method="last_year",
        effective_from=dt.date(2019, 7, 1),
        reason="Follow last year's shape",
    )

    assert card_of(july_org, rep, "2019-07").result("revenue_won").target == 750
    assert card_of(july_org, rep, "2019-08").result("revenue_won").target == 250
    assert card_of(july_org, rep, "2019-09").result("revenue_won").target == 0


def test_a_profile_needs_twelve_weights_and_a_reason(july_org, admin):
    with pytest.raises(ValidationError) as refused:
        services.seasonality_set(
            kpi=kpi(july_org, "revenue_won"),
            actor=admin.user,
            method="shares",
            shares=["1"] * 11,
            effective_from=dt.date(2019, 7, 1),
            reason="",
        )
    assert set(refused.value.message_dict) == {"shares", "reason"}
    assert SeasonalityProfile.objects.count() == 0


def test_the_api_json_and_exports_carry_the_source(july_org, teams, rep, rep2, manager, admin):
    rick_and_rita_months(july_org, rep, rep2)

    api = APIClient()
    api.force_authenticate(admin.user)
    rows = api.get("/api/v1/kpis/scorecards/", {"period": "2020-Q1"}).json()
    rick = next(row for row in rows if row["person"] == "Rick Rep")
    source = rick["kpis"]["revenue_won"]["target_source"]
    assert source["kind"] == "sum"
    assert source["text"] == (
        "sum of Jul 2019, Aug 2019, Sep 2019: 100,000 + 106,000 + 110,000 = 316,000"
    )
    assert [p["target"] for p in source["parts"]] == ["100000.0000", "106000.0000", "110000.0000"]
    assert rick["kpis"]["win_rate"]["target_source"] is None

    explained = api.get(
        "/api/v1/kpis/explain/",
        {"subject": f"person:{rep.pk}", "kpi": "revenue_won", "period": "2020-Q1"},
    ).json()
    assert explained["target_source"]["kind"] == "sum"

    export = client_for(manager).get(
        reverse("kpis:team_export", args=[teams["east_ent"].pk, "csv"]), {"period": "2020-Q1"}
    )
    table = list(csv.reader(io.StringIO(export.content.decode())))
    column = table[0].index("revenue_won target source")
    by_name = {row[0]: row[column] for row in table[1:]}
    assert by_name["Rita Rep"] == "sum of Aug 2019, Sep 2019: 50,000 + 50,000 = 100,000"
    assert by_name["East Enterprise"] == "sum of the members' targets: 416,000"


def test_the_dashboard_trend_counts_months_too(july_org, rep, rep2):
    rick_and_rita_months(july_org, rep, rep2)
    periods = [period("2020-Q1"), period("2019-08")]
    specs = kpi_specs_by_period(july_org, periods)
    cards = person_trend(july_org, rep, periods, today=TODAY, specs=specs)
    assert [target_of(c, "revenue_won") for c in cards] == [316000, 106000]


def _describe(result: Any) -> str:
    from charter.kpis.cascade import describe

    return describe(result.target_source, result.target)


def test_the_person_pdf_and_the_xlsx_say_where_the_target_came_from(
    july_org, teams, rep, rep2, manager
):
    rick_and_rita_months(july_org, rep, rep2)
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")

    pdf = client_for(manager).get(reverse("kpis:person_pdf", args=[rep.pk]), {"period": "2020-Q1"})
    assert pdf.status_code == 200
    text = subprocess.run(
        [tool, "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Sum of Jul 2019, Aug 2019, Sep 2019" in " ".join(text.split())

    xlsx = client_for(manager).get(
        reverse("kpis:team_export", args=[teams["east_ent"].pk, "xlsx"]), {"period": "2020-Q1"}
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    column = list(rows[0]).index("Revenue won: target source")
    by_name = {row[0]: row[column] for row in rows[1:]}
    assert by_name["Rick Rep"] == (
        "sum of Jul 2019, Aug 2019, Sep 2019: 100,000 + 106,000 + 110,000 = 316,000"
    )
