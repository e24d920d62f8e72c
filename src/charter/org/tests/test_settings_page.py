"""The organization's settings: fiscal calendar and time zone, changed by admins only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from charter.conftest import client_for
from charter.core.models import AuditEvent, Job
from charter.crm import services as crm_services
from charter.crm.models import Activity
from charter.kpis.models import DailyMetrics
from charter.org import services
from charter.org.models import Organization, Person


@pytest.mark.django_db
def test_admin_changes_fiscal_start_and_it_is_audited(org: Organization, admin: Person) -> None:
    client = client_for(admin)
    response = client.post(
        reverse("org:settings"),
        {"name": "Acme Demo Co", "fiscal_year_start_month": "2", "time_zone": "UTC"},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.fiscal_year_start_month == 2
    event = AuditEvent.objects.get(action="org.organization.updated")
    assert event.before == {"fiscal_year_start_month": 1}
    assert event.after == {"fiscal_year_start_month": 2}


@pytest.mark.django_db
def test_unknown_time_zone_and_month_are_refused(org: Organization, admin: Person) -> None:
    with pytest.raises(ValidationError) as caught:
        services.organization_update(
            org=org, actor=admin.user, time_zone="Mars/Olympus", fiscal_year_start_month=13
        )
    assert set(caught.value.message_dict) == {"time_zone", "fiscal_year_start_month"}
    org.refresh_from_db()
    assert (org.time_zone, org.fiscal_year_start_month) == ("UTC", 1)


@pytest.mark.django_db
def test_new_time_zone_moves_activities_to_their_local_day(
    org: Organization,
    admin: Person,
    rep: Person,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # 03:30 UTC on 1 July is still 30 June in New York.
    crm_services.facts_upsert(
        model=Activity,
        org=org,
        source="file",
        rows=[
            {
                "external_id": "a1",
                "owner_id": rep.pk,
                "owner_raw": "",
                "owner_key": "",
                "kind": "call",
                "occurred_at": dt.datetime(2017, 7, 1, 3, 30, tzinfo=dt.UTC),
            }
        ],
        run=None,
    )
    assert list(DailyMetrics.objects.values_list("day", flat=True)) == [dt.date(2017, 7, 1)]
    # Test settings run tasks immediately, but only once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        services.organization_update(org=org, actor=admin.user, time_zone="America/New_York")
    assert list(DailyMetrics.objects.values_list("day", flat=True)) == [dt.date(2017, 6, 30)]
    assert Job.objects.get(kind="kpis.rollups").status == Job.Status.SUCCEEDED


@pytest.mark.django_db
def test_others_read_the_settings_but_cannot_change_them(
    org: Organization, rep: Person, manager: Person
) -> None:
    page = client_for(rep).get(reverse("org:settings"))
    assert page.status_code == 200
    assert b"UTC" in page.content
    refused = client_for(manager).post(
        reverse("org:settings"),
        {"name": "Mine now", "fiscal_year_start_month": "4", "time_zone": "UTC"},
    )
    assert refused.status_code == 403
    org.refresh_from_db()
    assert org.name == "Acme Demo Co"


@pytest.mark.django_db
def test_admin_lets_reps_open_the_teams_above_theirs_and_it_is_audited(
    org: Organization, admin: Person
) -> None:
    assert org.rep_team_totals == "own_team"
    response = client_for(admin).post(
        reverse("org:settings"),
        {
            "name": "Acme Demo Co",
            "fiscal_year_start_month": "1",
            "time_zone": "UTC",
            "rep_team_totals": "teams_above",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.rep_team_totals == "teams_above"
    event = AuditEvent.objects.get(action="org.organization.updated")
    assert event.after == {"rep_team_totals": "teams_above"}


@pytest.mark.django_db
def test_an_unknown_team_totals_choice_is_refused(org: Organization, admin: Person) -> None:
    with pytest.raises(ValidationError) as caught:
        services.organization_update(org=org, actor=admin.user, rep_team_totals="everything")
    assert set(caught.value.message_dict) == {"rep_team_totals"}


@pytest.mark.django_db
def test_others_read_the_team_totals_setting(org: Organization, rep: Person) -> None:
    page = client_for(rep).get(reverse("org:settings")).content.decode()
    assert "Team scorecards a rep may open" in page
    assert "Their own team only" in page
