"""The audit log: append-only rows, the admin page, its filters and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine

from charter.conftest import client_for
from charter.core import audit
from charter.core.models import AppendOnlyError, AuditEvent
from charter.org import services


@pytest.fixture
def events(everyone, teams):
    """A few real changes made through the services, on different days."""
    admin = everyone["admin"].user
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        services.team_create(org=everyone["admin"].org, name="North", actor=admin)
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC), tick=False):
        services.person_update(person=everyone["rep"], actor=admin, title="Senior AE")
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC), tick=False):
        services.person_update(person=everyone["rep2"], actor=everyone["manager"].user, title="AE")
    return AuditEvent.objects.all()


def listed(response) -> list[str]:
    return [f"{e.action} {e.object_repr}" for e in response.context["page"]]


# --- append-only ----------------------------------------------------------------------------


def test_saving_an_existing_audit_row_raises(events):
    event = events.first()
    event.action = "org.person.forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert not AuditEvent.objects.filter(action="org.person.forged").exists()


def test_deleting_an_audit_row_raises(events):
    count = AuditEvent.objects.count()
    with pytest.raises(AppendOnlyError):
        events.first().delete()
    assert AuditEvent.objects.count() == count


def test_bulk_update_and_delete_raise(events):
    count = AuditEvent.objects.count()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(action__startswith="org").update(action="org.x.y")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == count
    assert not AuditEvent.objects.filter(action="org.x.y").exists()


def test_action_codes_must_be_namespaced(db):
    with pytest.raises(ValueError, match=r"app\.object\.verb"):
        audit.record(actor=None, action="deleted")
    assert not AuditEvent.objects.exists()


# --- the page -------------------------------------------------------------------------------


def test_admin_reads_the_log_newest_first(everyone, events):
    response = client_for(everyone["admin"]).get("/audit/")
    assert response.status_code == 200
    assert listed(response)[:3] == [
        "org.person.updated Rita Rep",
        "org.person.updated Rick Rep",
        "org.team.created North",
    ]
    body = response.content.decode()
    assert "<del>None</del>" not in body
    assert "Senior AE" in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "org.team"}, ["org.team.created North"]),
        (
            {"action": "org.person.updated"},
            ["org.person.updated Rita Rep", "org.person.updated Rick Rep"],
        ),
        ({"actor": "mona"}, ["org.person.updated Rita Rep"]),
        ({"object_type": "org.team"}, ["org.team.created North"]),
        ({"q": "rick"}, ["org.person.updated Rick Rep"]),
        ({"since": "2026-03-04", "until": "2026-03-06"}, ["org.person.updated Rick Rep"]),
        ({"since": "2026-03-08"}, ["org.person.updated Rita Rep"]),
        ({"until": "2026-03-01"}, ["org.team.created North"]),
    ],
)
def test_filters_narrow_the_log(everyone, events, params, expected):
    response = client_for(everyone["admin"]).get("/audit/", params)
    got = [line for line in listed(response) if "Rita" in line or "Rick" in line or "North" in line]
    assert got == expected


def test_object_filter_matches_an_id(everyone, events):
    rep = everyone["rep"]
    response = client_for(everyone["admin"]).get("/audit/", {"q": str(rep.pk)})
    assert {e.object_id for e in response.context["page"]} == {str(rep.pk)}


def test_bad_dates_are_ignored_not_an_error(everyone, events):
    response = client_for(everyone["admin"]).get("/audit/", {"since": "yesterday"})
    assert response.status_code == 200
    assert len(response.context["page"]) == events.count()


def test_htmx_filter_returns_only_the_rows(everyone, events):
    response = client_for(everyone["admin"]).get(
        "/audit/", {"action": "org.team"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "North" in body
    assert "Rick Rep" not in body


@pytest.mark.parametrize("persona", ["executive", "manager", "other_manager", "rep"])
def test_only_admins_read_the_audit_log(everyone, events, persona):
    client = client_for(everyone[persona])
    for path in ("/audit/", "/audit/export.csv"):
        response = client.get(path)
        assert response.status_code == 403
        assert b"Senior AE" not in response.content


def test_anonymous_is_sent_to_sign_in(db):
    for path in ("/audit/", "/audit/export.csv"):
        response = client_for(None).get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# --- CSV ------------------------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_follows_the_filters(everyone, events):
    response = client_for(everyone["admin"]).get("/audit/export.csv", {"action": "org.person"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="charter-audit-')
    data = read_csv(response)
    assert {row["action"] for row in data} == {"org.person.updated"}
    rick = next(row for row in data if row["object"] == "Rick Rep")
    assert rick["actor"] == "ada.admin@acme.test"
    assert '"title": "Senior AE"' in rick["after"]
    assert rick["object_type"] == "org.person"


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)"])
def test_csv_cells_cannot_run_as_formulas(everyone, evil):
    services.person_update(person=everyone["rep"], actor=everyone["admin"].user, full_name=evil)
    data = read_csv(client_for(everyone["admin"]).get("/audit/export.csv"))
    objects = [row["object"] for row in data if row["object_type"] == "org.person"]
    assert f"'{evil}" in objects
    assert evil not in objects
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in data for cell in row.values())


# --- one organization's log -----------------------------------------------------------------


@pytest.fixture
def globex_events(globex):
    """Changes in the second organization: a team, a person, its settings, a login's password."""
    admin = globex["admin"].user
    services.team_create(org=globex["admin"].org, name="Globex Secret Team", actor=admin)
    services.person_update(person=globex["rep"], actor=admin, title="Globex Secret Title")
    services.organization_update(org=globex["admin"].org, actor=admin, name="Globex Secret Co")
    audit.record(actor=None, action="accounts.password.reset_requested", obj=globex["rep"].user)
    return AuditEvent.objects.filter(org=globex["admin"].org)


def test_each_event_belongs_to_the_organization_of_what_it_is_about(everyone, globex_events):
    acme = everyone["admin"].org
    assert globex_events.count() == 4
    assert not AuditEvent.objects.filter(org__isnull=True).exists()
    assert not AuditEvent.objects.filter(org=acme).exists()
    # …until Acme changes something: its rows are its own.
    services.person_update(person=everyone["rep"], actor=everyone["admin"].user, title="AE")
    assert AuditEvent.objects.filter(org=acme).count() == 1


def test_an_admin_never_reads_another_organizations_log(everyone, events, globex_events):
    client = client_for(everyone["admin"])
    page = client.get("/audit/")
    assert page.status_code == 200
    assert {e.pk for e in page.context["page"]} == set(
        events.exclude(org=globex_events[0].org).values_list("pk", flat=True)
    )
    assert "Globex" not in page.content.decode()
    assert (
        "Gia" not in client.get("/audit/", {"q": str(globex_events[0].object_id)}).content.decode()
    )
    exported = read_csv(client.get("/audit/export.csv"))
    assert exported
    assert not any(
        "Globex" in cell or "gia.globex" in cell for row in exported for cell in row.values()
    )
    home = client.get("/").content.decode()
    assert "Globex" not in home


def test_the_other_organizations_admin_reads_only_their_own_log(
    everyone, events, globex, globex_events
):
    page = client_for(globex["admin"]).get("/audit/")
    assert {e.pk for e in page.context["page"]} == set(globex_events.values_list("pk", flat=True))
    assert "Rick Rep" not in page.content.decode()
    assert "Senior AE" not in page.content.decode()


def test_an_executive_home_shows_no_other_organizations_changes(everyone, globex_events):
    home = client_for(everyone["executive"]).get("/").content.decode()
    assert "Globex" not in home


def _backfill() -> None:
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = importlib.import_module("charter.core.migrations.0004_audit_event_org_backfill")
    state = MigrationLoader(connection).project_state(("core", "0004_audit_event_org_backfill"))
    migration.forwards(state.apps, None)


def _old_row(**fields) -> AuditEvent:
    """A row as written before rows had an organization."""
    event = AuditEvent(action="org.person.updated", **fields)
    event.save()
    return event


def test_rows_written_before_organizations_are_filled_in_from_their_object_or_actor(
    everyone, teams, globex
):
    about_globex = _old_row(object_type="org.person", object_id=str(globex["rep"].pk))
    by_acme_admin = _old_row(actor=everyone["admin"].user)
    about_acme_team = _old_row(object_type="org.team", object_id=str(teams["east"].pk))
    about_globex_login = _old_row(object_type="accounts.user", object_id=str(globex["rep"].user_id))
    about_nothing = _old_row(object_type="org.person", object_id="999999")
    _backfill()
    org_of = dict(AuditEvent.objects.values_list("pk", "org_id"))
    assert org_of[about_globex.pk] == globex["rep"].org_id
    assert org_of[by_acme_admin.pk] == everyone["admin"].org_id
    assert org_of[about_acme_team.pk] == everyone["admin"].org_id
    assert org_of[about_globex_login.pk] == globex["rep"].org_id
    assert org_of[about_nothing.pk] is None


def test_with_one_organization_every_old_row_is_its(everyone):
    rows = [_old_row(object_type="org.person", object_id="999999"), _old_row()]
    _backfill()
    assert set(
        AuditEvent.objects.filter(pk__in=[r.pk for r in rows]).values_list("org_id", flat=True)
    ) == {everyone["admin"].org_id}
