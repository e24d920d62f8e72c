"""Which team scorecards a rep opens: their own team's by default; the teams above it (a region,
whose totals add up sibling teams) only when the organization's setting says so."""

from __future__ import annotations

import pytest

from charter.conftest import client_for
from charter.kpis.access import can_view_team_scorecard
from charter.org import services
from charter.org.models import RepTeamTotals

pytestmark = pytest.mark.django_db


def test_a_rep_opens_their_own_teams_scorecard(rep, teams):
    assert client_for(rep).get(f"/kpis/teams/{teams['east_ent'].pk}/").status_code == 200
    explain = f"/kpis/teams/{teams['east_ent'].pk}/explain/revenue_won/"
    assert client_for(rep).get(explain).status_code == 200


def test_by_default_a_rep_cannot_open_the_region_above_their_team(rep, teams):
    assert not can_view_team_scorecard(rep.user, teams["east"])
    assert client_for(rep).get(f"/kpis/teams/{teams['east'].pk}/").status_code == 404
    assert client_for(rep).get(f"/kpis/teams/{teams['east'].pk}/export.csv").status_code == 404
    explain = f"/kpis/teams/{teams['east'].pk}/explain/revenue_won/"
    assert client_for(rep).get(explain).status_code == 404


def test_when_the_organization_allows_it_a_rep_opens_the_teams_above(org, rep, admin, teams):
    services.organization_update(
        org=org, actor=admin.user, rep_team_totals=RepTeamTotals.TEAMS_ABOVE
    )
    rep.refresh_from_db()
    assert client_for(rep).get(f"/kpis/teams/{teams['east'].pk}/").status_code == 200
    # Never a sibling region, whatever the setting.
    assert client_for(rep).get(f"/kpis/teams/{teams['west'].pk}/").status_code == 404
    assert client_for(rep).get(f"/kpis/teams/{teams['west_mm'].pk}/").status_code == 404


def test_the_setting_changes_nothing_for_managers(org, manager, other_manager, teams):
    assert client_for(manager).get(f"/kpis/teams/{teams['east'].pk}/").status_code == 200
    assert client_for(other_manager).get(f"/kpis/teams/{teams['east'].pk}/").status_code == 404
