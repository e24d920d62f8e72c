"""The certificates API: who reads a rep's certificates (as their evidence files), the state
each is in as the page computes it, the filters, and recording one through the service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from charter.conftest import client_for, make_person
from charter.core.models import AuditEvent
from charter.learning.models import Certificate, Certification
from charter.learning.services.certificates import certificate_add, certification_create
from charter.learning.services.evidence import evidence_attach
from charter.org.models import Role

D = dt.date
URL = "/api/v1/learning/certificates/"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF\n"
# Every request reads "today" as this noon, so the states below do not drift with the calendar.
NOON = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today(settings: Any, tmp_path: Path) -> Any:
    settings.LEARNING_EVIDENCE_DIR = tmp_path / "evidence"
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def badge(org: Any, admin: Any) -> Certification:
    # Expiring within 30 days of the end.
    return certification_create(
        org=org, actor=admin.user, name="Cloud badge", validity_months=12, expiring_days=30
    )


@pytest.fixture
def rick_certs(rep: Any, badge: Certification, org: Any, admin: Any) -> dict[str, Certificate]:
    """Rick's certificates, one in each state on 2026-06-01; the valid one has evidence."""
    other = certification_create(org=org, actor=admin.user, name="Safety", validity_months=12)
    third = certification_create(org=org, actor=admin.user, name="Privacy", validity_months=12)
    valid = certificate_add(
        person=rep, actor=rep.user, certification=badge, issued_on=D(2026, 5, 1),
        credential_id="CB-1",
    )  # fmt: skip
    evidence_attach(
        obj=valid, actor=rep.user, upload=SimpleUploadedFile("proof.pdf", PDF),
        filename="proof.pdf", size=len(PDF),
    )  # fmt: skip
    # Safety expires within its default 60 days; Privacy ended in May.
    expiring = certificate_add(
        person=rep, actor=rep.user, certification=other, issued_on=D(2025, 7, 1)
    )
    expired = certificate_add(
        person=rep, actor=rep.user, certification=third, issued_on=D(2025, 5, 1)
    )
    return {"valid": valid, "expiring": expiring, "expired": expired}


def test_output_carries_state_dates_and_the_evidence_link(rep, rick_certs):
    rows = {r["id"]: r for r in client_for(rep).get(URL).json()}
    valid = rows[rick_certs["valid"].pk]
    assert valid["state"] == "valid"
    assert (valid["issued_on"], valid["expires_on"]) == ("2026-05-01", "2027-04-30")
    assert valid["credential_id"] == "CB-1"
    assert valid["has_evidence"] is True
    assert valid["evidence_url"] == f"/learning/certificates/{rick_certs['valid'].pk}/evidence/"
    assert rows[rick_certs["expiring"].pk]["state"] == "expiring"
    assert rows[rick_certs["expired"].pk]["state"] == "expired"
    assert rows[rick_certs["expired"].pk]["has_evidence"] is False
    assert rows[rick_certs["expired"].pk]["evidence_url"] is None


@pytest.mark.parametrize("who", ["rep", "manager", "executive", "admin"])
def test_the_holder_those_above_and_admins_read_them(everyone, rick_certs, who):
    client = client_for(everyone[who])
    assert len(client.get(URL, {"person": everyone["rep"].pk}).json()) == 3
    assert client.get(f"{URL}{rick_certs['valid'].pk}/").status_code == 200


@pytest.mark.parametrize("who", ["rep2", "other_manager", "other_team_rep"])
def test_a_peer_and_another_teams_manager_read_nothing_of_them(everyone, rick_certs, who):
    client = client_for(everyone[who])
    assert client.get(URL, {"person": everyone["rep"].pk}).json() == []
    assert client.get(f"{URL}{rick_certs['valid'].pk}/").status_code == 404


def test_an_executive_outside_the_line_reads_the_page_but_not_the_api(org, rep, rick_certs):
    # Like the evidence file: the page lists the certificate, the API and its file do not.
    xavier = make_person(org, "Xavier Exec", Role.EXECUTIVE)
    client = client_for(xavier)
    assert "CB-1" in client.get("/learning/certificates/").content.decode()
    assert client.get(URL).json() == []
    assert client.get(f"{URL}{rick_certs['valid'].pk}/").status_code == 404


def test_state_filter(rep, rick_certs):
    rows = client_for(rep).get(URL, {"state": "expiring"}).json()
    assert [r["id"] for r in rows] == [rick_certs["expiring"].pk]


@pytest.mark.parametrize(
    ("params", "named"),
    [({"state": "lapsed"}, "state"), ({"state": "valid\x00"}, "state"),
     ({"person": "1\x00"}, "person"), ({"person": "rick"}, "person")],
)  # fmt: skip
def test_bad_filters_are_a_400_naming_the_parameter(rep, rick_certs, params, named):
    response = client_for(rep).get(URL, params)
    assert response.status_code == 400
    assert named in response.json()


def test_a_manager_records_one_for_their_rep(manager, rep, badge):
    response = client_for(manager).post(
        URL,
        {"person": rep.pk, "certification": badge.pk, "issued_on": "2026-02-01",
         "credential_id": " X-9 "},
        "application/json",
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert (body["expires_on"], body["credential_id"], body["state"]) == (
        "2027-01-31", "X-9", "valid",
    )  # fmt: skip
    assert Certificate.objects.get().created_by == manager.user
    assert AuditEvent.objects.filter(action="learning.certificate.added").count() == 1


@pytest.mark.parametrize("who", ["rep2", "other_manager"])
def test_nobody_records_one_for_someone_outside_their_reach(everyone, badge, who):
    response = client_for(everyone[who]).post(
        URL,
        {"person": everyone["rep"].pk, "certification": badge.pk, "issued_on": "2026-02-01"},
        "application/json",
    )
    assert response.status_code == 400
    assert "person" in response.json()
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    ("change", "named"),
    [({"issued_on": "2026-07-01"}, "issued_on"),
     ({"expires_on": "2025-01-01"}, "expires_on"),
     ({"issued_on": "soon"}, "issued_on"),
     ({"certification": 0}, "certification"),
     ({"colour": "red"}, "colour")],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(rep, badge, change, named):
    body = {"person": rep.pk, "certification": badge.pk, "issued_on": "2026-02-01", **change}
    response = client_for(rep).post(URL, body, "application/json")
    assert response.status_code == 400
    assert named in response.json()
    assert not Certificate.objects.exists()
    assert not AuditEvent.objects.filter(action="learning.certificate.added").exists()


def test_certifications_are_read_by_all_and_added_by_admins(rep, admin, badge):
    url = "/api/v1/learning/certifications/"
    assert [c["name"] for c in client_for(rep).get(url).json()] == ["Cloud badge"]
    body = {"name": "Sales licence", "validity_months": 36}
    assert client_for(rep).post(url, body, "application/json").status_code == 403
    created = client_for(admin).post(url, body, "application/json")
    assert created.status_code == 201
    assert created.json()["expiring_days"] == 60
    duplicate = client_for(admin).post(url, {**body, "name": "cloud BADGE"}, "application/json")
    assert duplicate.status_code == 400
    assert "name" in duplicate.json()
    bad = client_for(admin).post(url, {"name": "X", "validity_months": 0}, "application/json")
    assert bad.status_code == 400
    assert "validity_months" in bad.json()
    assert Certification.objects.count() == 2
