"""Evidence files on completions and certificates: checked by content, kept privately under
random names, handed out only to the person, those above them and admins, replaced without
losing the old file before the commit, and removed with an audit row."""

from __future__ import annotations

import datetime as dt
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from charter.conftest import client_for
from charter.core.models import AuditEvent
from charter.learning import evidence
from charter.learning.models import Certificate, Completion
from charter.learning.services.certificates import certification_create
from charter.learning.services.completions import completion_report
from charter.learning.services.evidence import evidence_attach, sweep_orphans

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
HTML = b"<html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def evidence_dir(settings: Any, tmp_path: Path) -> Path:
    settings.LEARNING_EVIDENCE_DIR = tmp_path / "evidence"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "evidence"


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> Any:
    # The browser's content type is the sender's to choose: these say PDF whatever they hold.
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def completion(rep: Any, company_training: Any) -> Completion:
    return completion_report(
        person=rep, actor=rep.user, training=company_training,
        completed_on=dt.date(2026, 1, 5), hours="2",
    )  # fmt: skip


def attach(obj: Any, name: str, content: bytes) -> None:
    evidence_attach(
        obj=obj, actor=obj.person.user, upload=upload(name, content), filename=name,
        size=len(content),
    )  # fmt: skip


# --- what a file is ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.pdf", PDF, "pdf"),
        ("scan.PNG", PNG, "png"),
        ("b.jpg", JPEG, "jpeg"),
        ("c.jpeg", JPEG, "jpeg"),
    ],
)
def test_a_file_is_accepted_when_its_content_and_its_name_agree(name, content, kind, db):
    assert evidence.check(upload(name, content), name, len(content)) == kind


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.pdf", HTML, "is not a PDF, PNG or JPEG file, whatever its name says"),
        ("photo.pdf", PNG, "named as a PDF but holds a PNG"),
        ("report.png", PDF, "named as a PNG but holds a PDF"),
        ("tool.exe", PDF, "only PDF, PNG or JPEG files are accepted"),
        ("noname", PDF, "only PDF, PNG or JPEG files are accepted"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(name, content, message, db):
    with pytest.raises(ValidationError) as caught:
        evidence.check(upload(name, content), name, len(content))
    assert message in caught.value.message_dict["evidence"][0]


def test_a_file_over_the_size_setting_is_refused(settings: Any, db: Any) -> None:
    settings.LEARNING_EVIDENCE_MAX_BYTES = 1024 * 1024
    big = PDF + b"\x00" * (1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        evidence.check(upload("big.pdf", big), "big.pdf", len(big))
    assert "at most 1 MB" in caught.value.message_dict["evidence"][0]


def test_the_evidence_folder_may_not_be_under_a_published_root(settings: Any, tmp_path: Path):
    settings.LEARNING_EVIDENCE_DIR = tmp_path / "media" / "evidence"
    with pytest.raises(ImproperlyConfigured):
        evidence.storage()
    settings.LEARNING_EVIDENCE_DIR = tmp_path / "evidence"
    settings.STATIC_ROOT = tmp_path
    with pytest.raises(ImproperlyConfigured):
        evidence.storage()


# --- reporting with evidence -------------------------------------------------------------------


def test_a_reported_completion_keeps_its_file_privately_under_a_random_name(
    rep: Any, company_training: Any, evidence_dir: Path, tmp_path: Path
) -> None:
    response = client_for(rep).post(
        "/learning/",
        {"training": company_training.pk, "completed_on": "2026-01-05", "hours": "2",
         "evidence": upload("My Certificate.pdf", PDF, "text/html")},
    )  # fmt: skip

    assert response.status_code == 302
    completion = Completion.objects.get(person=rep)
    assert completion.evidence_filename == "My Certificate.pdf"
    assert completion.evidence_type == "application/pdf"  # the content's, not the browser's
    assert completion.evidence_size == len(PDF)
    files = stored(evidence_dir)
    assert [f.name for f in files] == [completion.evidence_name]
    assert len(completion.evidence_name) == 36
    assert completion.evidence_name.endswith(".pdf")
    assert "Certificate" not in completion.evidence_name
    assert files[0].read_bytes() == PDF
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(evidence_dir.stat().st_mode) == 0o700
    assert stored(tmp_path / "media") == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("proof.pdf", HTML, "whatever its name says"), ("proof.pdf", PNG, "holds a PNG")],
)
def test_a_report_with_a_wrong_file_names_the_field_and_writes_nothing(
    rep: Any, company_training: Any, evidence_dir: Path, name: str, content: bytes, message: str
) -> None:
    response = client_for(rep).post(
        "/learning/",
        {"training": company_training.pk, "completed_on": "2026-01-05", "hours": "2",
         "evidence": upload(name, content)},
    )  # fmt: skip

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["evidence"])
    assert not Completion.objects.exists()
    assert stored(evidence_dir) == []


def test_a_report_with_a_file_too_large_writes_nothing(
    rep: Any, company_training: Any, evidence_dir: Path, settings: Any
) -> None:
    settings.LEARNING_EVIDENCE_MAX_BYTES = 40
    response = client_for(rep).post(
        "/learning/",
        {"training": company_training.pk, "completed_on": "2026-01-05", "hours": "2",
         "evidence": upload("proof.pdf", PDF + b"\x00" * 40)},
    )  # fmt: skip

    assert "at most" in " ".join(response.context["form"].errors["evidence"])
    assert not Completion.objects.exists()
    assert stored(evidence_dir) == []


def test_a_certificate_recorded_with_a_mismatched_file_is_not_recorded(
    org: Any, admin: Any, rep: Any, evidence_dir: Path
) -> None:
    badge = certification_create(org=org, actor=admin.user, name="Cloud", validity_months=12)
    client = client_for(rep)
    data = {"person": rep.pk, "certification": badge.pk, "issued_on": "2026-01-10"}

    refused = client.post("/learning/certificates/", {**data, "evidence": upload("c.jpg", PDF)})
    assert "named as a JPEG but holds a PDF" in " ".join(refused.context["form"].errors["evidence"])
    assert not Certificate.objects.exists()
    assert stored(evidence_dir) == []

    client.post("/learning/certificates/", {**data, "evidence": upload("c.jpg", JPEG)})
    certificate = Certificate.objects.get()
    assert certificate.evidence_type == "image/jpeg"
    assert [f.name for f in stored(evidence_dir)] == [certificate.evidence_name]


# --- replacing and removing --------------------------------------------------------------------


def test_replacing_keeps_the_old_file_until_the_change_commits(
    completion: Completion,
    evidence_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        attach(completion, "first.pdf", PDF)
    old = evidence_dir / completion.evidence_name

    with django_capture_on_commit_callbacks(execute=False) as pending:
        attach(completion, "second.png", PNG)
        assert old.exists()  # not committed yet: the row that names it may still come back
    assert old.exists()
    for callback in pending:
        callback()

    assert not old.exists()
    completion.refresh_from_db()
    assert completion.evidence_filename == "second.png"
    assert [f.name for f in stored(evidence_dir)] == [completion.evidence_name]


def test_a_replacement_rolled_back_keeps_the_old_file_and_drops_the_new(
    completion: Completion,
    evidence_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        attach(completion, "first.pdf", PDF)
    kept = completion.evidence_name

    def replace_then_fail() -> None:
        with transaction.atomic():
            attach(completion, "second.png", PNG)
            raise RuntimeError("a later step fails")

    with pytest.raises(RuntimeError):
        replace_then_fail()

    completion = Completion.objects.get(pk=completion.pk)
    assert completion.evidence_name == kept
    assert (evidence_dir / kept).exists()
    # The new file, named by nothing now, goes with the next sweep once a day old.
    orphan = [f for f in stored(evidence_dir) if f.name != kept]
    assert len(orphan) == 1
    assert sweep_orphans() == 0  # too young: its upload may still be committing
    assert sweep_orphans(now=time.time() + 2 * 86400) == 1
    assert [f.name for f in stored(evidence_dir)] == [kept]


def test_removing_a_completions_evidence_is_audited_and_the_file_goes(
    completion: Completion,
    rep: Any,
    evidence_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        attach(completion, "first.pdf", PDF)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(rep).post(
            f"/learning/completions/{completion.pk}/evidence/", {"remove": "1"}
        )

    assert response.status_code == 302
    completion.refresh_from_db()
    assert not completion.has_evidence
    assert completion.evidence_size is None
    assert stored(evidence_dir) == []
    event = AuditEvent.objects.get(action="learning.completion.evidence_deleted")
    assert event.actor == rep.user
    assert (event.before or {})["evidence_filename"] == "first.pdf"


def test_a_wrong_replacement_from_the_page_names_the_field_and_keeps_the_file(
    completion: Completion, rep: Any, evidence_dir: Path
) -> None:
    attach(completion, "first.pdf", PDF)
    client = client_for(rep)

    response = client.post(
        f"/learning/completions/{completion.pk}/evidence/",
        {"evidence": upload("new.pdf", HTML)},
        follow=True,
    )

    assert "Evidence file: new.pdf is not a PDF, PNG or JPEG file" in response.content.decode()
    completion.refresh_from_db()
    assert completion.evidence_filename == "first.pdf"
    assert len(stored(evidence_dir)) == 1
