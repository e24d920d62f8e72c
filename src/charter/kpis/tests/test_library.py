"""Web pages of the KPI library, periods and scorecard settings: who may open and change what,
and what a change leaves behind."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from charter.conftest import client_for
from charter.core.models import AuditEvent
from charter.kpis.models import KpiDefinition, KpiVersion, PeriodClose, ScorecardSettings
from charter.kpis.selectors.calendar import period_of
from charter.kpis.selectors.definitions import kpi_specs

AFTER_Q2 = dt.datetime(2017, 7, 5, 12, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_everyone_signed_in_reads_the_library(everyone):
    for person in everyone.values():
        page = client_for(person).get("/kpis/library/")
        assert page.status_code == 200, person
    text = page.content.decode()
    assert "<code>deals_won_count / (deals_won_count + deals_lost_count)</code>" in text
    assert "110% · 95% · 80%" in text  # the default thresholds
    assert client_for(None).get("/kpis/library/").status_code == 302


@pytest.mark.django_db
def test_only_admins_see_the_add_and_revise_links(rep, admin):
    assert "Add a KPI" not in client_for(rep).get("/kpis/library/").content.decode()
    assert "Add a KPI" in client_for(admin).get("/kpis/library/").content.decode()
    assert "/revise/" not in client_for(rep).get("/kpis/library/win_rate/").content.decode()


@pytest.mark.django_db
def test_revising_adds_a_version_with_its_reason_and_what_changed(admin, rep, org):
    client = client_for(admin)
    form = client.get("/kpis/library/win_rate/revise/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(weight="20", effective_from="2017-07-01", reason="")
    data["active"] = "on"
    data["score_cap"] = "1.5"
    refused = client.post("/kpis/library/win_rate/revise/", data)
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    assert KpiVersion.objects.filter(definition__org=org, definition__key="win_rate").count() == 1
    data["reason"] = "Quality over volume"
    done = client.post("/kpis/library/win_rate/revise/", data)
    assert done.status_code == 302
    second = KpiVersion.objects.get(definition__key="win_rate", definition__org=org, number=2)
    assert (second.weight, second.effective_from, second.reason) == (
        20,
        dt.date(2017, 7, 1),
        "Quality over volume",
    )
    assert second.created_by == admin.user
    # The period that ended before the change keeps the old weight; the next has the new one.
    q2 = {s.key: s for s in kpi_specs(org, period_of(org, "2017-Q2"))}
    q3 = {s.key: s for s in kpi_specs(org, period_of(org, "2017-Q3"))}
    assert (q2["win_rate"].weight, q3["win_rate"].weight) == (15, 20)
    history = client_for(rep).get("/kpis/library/win_rate/").content.decode()
    assert "Quality over volume" in history
    assert "Weight: 15 → 20" in history
    assert admin.email in history
    assert AuditEvent.objects.filter(action="kpis.kpi.revised").count() == 1


@pytest.mark.django_db
def test_creating_a_kpi_with_an_unknown_metric_says_which(admin, org):
    client = client_for(admin)
    page = client.get("/kpis/library/new-kpi/").content.decode()
    assert "activities_call_count" in page  # the metric list
    data = {
        "key": "calls_per_win",
        "name": "Calls per win",
        "formula": "activities_call_count / wins",
        "unit": "count",
        "direction": "lower",
        "decimals": "1",
        "threshold_ahead": "1.1",
        "threshold_on_track": "0.95",
        "threshold_at_risk": "0.8",
        "weight": "5",
        "score_cap": "1.5",
        "active": "on",
        "effective_from": "2017-04-01",
    }
    refused = client.post("/kpis/library/new-kpi/", data)
    assert refused.status_code == 200
    assert refused.context["form"].errors["formula"][0].startswith("Unknown metric 'wins'.")
    assert not KpiDefinition.objects.filter(org=org, key="calls_per_win").exists()
    data["formula"] = "activities_call_count / deals_won_count"
    assert client.post("/kpis/library/new-kpi/", data).status_code == 302
    version = KpiVersion.objects.get(definition__org=org, definition__key="calls_per_win")
    assert (version.direction, version.decimals, version.weight) == ("lower", 1, 5)


def test_a_kpi_number_too_large_for_its_column_is_refused_by_name(admin, org):
    data = {
        "key": "calls_per_win",
        "name": "Calls per win",
        "formula": "activities_call_count / deals_won_count",
        "unit": "count",
        "direction": "lower",
        "decimals": "1",
        "threshold_ahead": "1.1",
        "threshold_on_track": "0.95",
        "threshold_at_risk": "0.8",
        "weight": "1234567",
        "score_cap": "99999",
        "active": "on",
        "effective_from": "2017-04-01",
    }

    refused = client_for(admin).post("/kpis/library/new-kpi/", data)

    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert errors["weight"] == ["Weight must be under 10,000."]
    assert errors["score_cap"] == ["Score cap must be under 1,000."]
    assert not KpiDefinition.objects.filter(org=org, key="calls_per_win").exists()
    # Every KPI still reads: nothing was stored that its column cannot give back.
    assert list(KpiVersion.objects.filter(definition__org=org))


@pytest.mark.django_db
def test_the_live_formula_check_uses_the_parser(admin, manager):
    client = client_for(admin)
    url = "/kpis/library/check-formula/"
    unknown = client.get(url, {"formula": "deals_won_count / wins"}, HTTP_HX_REQUEST="true")
    assert "Unknown metric &#x27;wins&#x27;" in unknown.content.decode()
    syntax = client.get(url, {"formula": "deals_won_count /"}).content.decode()
    assert "not valid arithmetic" in syntax
    power = client.get(url, {"formula": "deals_won_count ** 2"}).content.decode()
    assert "** is not allowed" in power
    ratio = client.get(url, {"formula": "deals_won_amount / deals_won_count"}).content.decode()
    assert "Valid: uses <code>deals_won_amount</code>, <code>deals_won_count</code>" in ratio
    assert "A ratio" in ratio
    assert client_for(manager).get(url, {"formula": "x"}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["rep", "manager", "executive"])
def test_non_admins_cannot_change_the_library(everyone, role):
    client = client_for(everyone[role])
    assert client.get("/kpis/library/new-kpi/").status_code == 403
    assert client.post("/kpis/library/win_rate/revise/", {"reason": "x"}).status_code == 403
    assert client.get("/kpis/settings/").status_code == 403
    assert KpiVersion.objects.filter(definition__key="win_rate").count() == 1


@pytest.mark.django_db
def test_periods_page_offers_closing_to_admins_and_records_who_closed(admin, manager, org):
    with time_machine.travel(AFTER_Q2, tick=False):
        as_manager = client_for(manager).get("/kpis/periods/").content.decode()
        assert "2017-Q2" in as_manager
        assert "/kpis/periods/2017-Q2/close/" not in as_manager
        assert client_for(manager).post("/kpis/periods/2017-Q2/close/").status_code == 403
        client = client_for(admin)
        assert "/kpis/periods/2017-Q2/close/" in client.get("/kpis/periods/").content.decode()
        confirm = client.get("/kpis/periods/2017-Q2/close/").content.decode()
        assert "frozen" in confirm
        assert not PeriodClose.objects.exists()  # a GET only asks
        assert client.post("/kpis/periods/2017-Q2/close/").status_code == 302
        close = PeriodClose.objects.get(org=org, label="2017-Q2")
        assert close.closed_by == admin.user
        listing = client_for(manager).get("/kpis/periods/").content.decode()
        assert f"by {admin.email}" in listing
        assert client.post("/kpis/periods/2017-Q2/close/").status_code == 400
        not_ended = client.post("/kpis/periods/2017-Q3/close/")
        assert not_ended.status_code == 400
        assert "has not ended yet" in not_ended.content.decode()
        assert client.get("/kpis/periods/2017-Q9/close/").status_code == 404
    assert PeriodClose.objects.count() == 1


@pytest.mark.django_db
def test_admin_changes_the_leaderboard_visibility(admin, org):
    client = client_for(admin)
    assert client.get("/kpis/settings/").status_code == 200
    assert client.post("/kpis/settings/", {"leaderboard_visibility": "nobody"}).status_code == 200
    assert client.post("/kpis/settings/", {"leaderboard_visibility": "off"}).status_code == 302
    assert ScorecardSettings.objects.get(org=org).leaderboard_visibility == "off"
    assert AuditEvent.objects.filter(action="kpis.settings.updated").count() == 1
