"""Who may open an evidence file: Rick's own, his manager Mona and Eve above her, and admins.
Not Rita beside him, not Omar who runs another team, not Olga, not another organization's admin,
and nobody signed out; for them the file is a 404, like a record that does not exist."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from charter.conftest import client_for
from charter.learning.models import Certificate, Completion
from charter.learning.services.certificates import certificate_add, certification_create
from charter.learning.services.completions import completion_report
from charter.learning.services.evidence import evidence_attach

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
MAY = ["rep", "manager", "executive", "admin"]
MAY_NOT = ["rep2", "other_manager", "other_team_rep"]


@pytest.fixture(autouse=True)
def _evidence_dir(settings: Any, tmp_path: Path) -> None:
    settings.LEARNING_EVIDENCE_DIR = tmp_path / "evidence"


@pytest.fixture
def completion(everyone: Any, company_training: Any) -> Completion:
    rick = everyone["rep"]
    found = completion_report(
        person=rick, actor=rick.user, training=company_training,
        completed_on=dt.date(2026, 1, 5), hours="2",
    )  # fmt: skip
    evidence_attach(
        obj=found, actor=rick.user, upload=SimpleUploadedFile("proof.pdf", PDF),
        filename="proof.pdf", size=len(PDF),
    )  # fmt: skip
    return found


@pytest.fixture
def certificate(everyone: Any, org: Any) -> Certificate:
    rick = everyone["rep"]
    badge = certification_create(
        org=org, actor=everyone["admin"].user, name="Cloud badge", validity_months=12
    )
    found = certificate_add(
        person=rick, actor=rick.user, certification=badge, issued_on=dt.date(2026, 1, 10)
    )
    evidence_attach(
        obj=found, actor=rick.user, upload=SimpleUploadedFile("badge.png", PNG),
        filename="badge.png", size=len(PNG),
    )  # fmt: skip
    return found


def _url(kind: str, completion: Completion, certificate: Certificate) -> str:
    if kind == "completion":
        return f"/learning/completions/{completion.pk}/evidence/"
    return f"/learning/certificates/{certificate.pk}/evidence/"


@pytest.mark.parametrize("kind", ["completion", "certificate"])
@pytest.mark.parametrize("who", MAY)
def test_the_person_those_above_them_and_admins_download_it(
    everyone: Any, completion: Completion, certificate: Certificate, kind: str, who: str
) -> None:
    response = client_for(everyone[who]).get(_url(kind, completion, certificate))

    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    expected, content_type, extension = (
        (PDF, "application/pdf", "pdf") if kind == "completion" else (PNG, "image/png", "png")
    )
    assert body == expected
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'-evidence.{extension}"')
    assert "rick-rep" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("kind", ["completion", "certificate"])
@pytest.mark.parametrize("who", MAY_NOT)
def test_a_peer_another_teams_manager_and_their_rep_get_nothing(
    everyone: Any, completion: Completion, certificate: Certificate, kind: str, who: str
) -> None:
    client = client_for(everyone[who])
    url = _url(kind, completion, certificate)

    assert client.get(url).status_code == 404
    assert client.post(url, {"remove": "1"}).status_code == 404
    completion.refresh_from_db()
    certificate.refresh_from_db()
    assert completion.has_evidence
    assert certificate.has_evidence


@pytest.mark.parametrize("kind", ["completion", "certificate"])
def test_signed_out_people_are_sent_to_sign_in(
    completion: Completion, certificate: Certificate, kind: str
) -> None:
    response = client_for(None).get(_url(kind, completion, certificate))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("kind", ["completion", "certificate"])
def test_another_organizations_admin_gets_nothing(
    globex: Any, completion: Completion, certificate: Certificate, kind: str
) -> None:
    assert client_for(globex["admin"]).get(_url(kind, completion, certificate)).status_code == 404


def test_only_the_person_replaces_a_completions_file_and_admins_may_remove_it(
    everyone: Any, completion: Completion
) -> None:
    url = f"/learning/completions/{completion.pk}/evidence/"

    def new() -> dict[str, Any]:
        return {"evidence": SimpleUploadedFile("new.png", PNG)}

    assert client_for(everyone["manager"]).post(url, new()).status_code == 403
    assert client_for(everyone["manager"]).post(url, {"remove": "1"}).status_code == 403
    completion.refresh_from_db()
    assert completion.evidence_filename == "proof.pdf"

    assert client_for(everyone["rep"]).post(url, new()).status_code == 302
    completion.refresh_from_db()
    assert completion.evidence_filename == "new.png"

    assert client_for(everyone["admin"]).post(url, {"remove": "1"}).status_code == 302
    completion.refresh_from_db()
    assert not completion.has_evidence


def test_an_approved_completions_file_stays_as_approved(
    everyone: Any, completion: Completion
) -> None:
    from charter.learning.services.completions import completion_review

    completion_review(completion=completion, actor=everyone["manager"].user, approve=True)
    url = f"/learning/completions/{completion.pk}/evidence/"

    replaced = client_for(everyone["rep"]).post(url, {"evidence": SimpleUploadedFile("n.png", PNG)})

    assert replaced.status_code == 403
    completion.refresh_from_db()
    assert completion.evidence_filename == "proof.pdf"


def test_the_record_page_links_the_file_only_for_those_who_may_open_it(
    everyone: Any, completion: Completion
) -> None:
    link = f"/learning/completions/{completion.pk}/evidence/"
    mine = client_for(everyone["rep"]).get("/learning/").content.decode()
    managers = client_for(everyone["manager"]).get(f"/learning/people/{everyone['rep'].pk}/")

    assert link in mine
    assert link in managers.content.decode()
