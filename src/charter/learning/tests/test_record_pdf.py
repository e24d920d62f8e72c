"""The printable learning record: what it says (read back with pdftotext) and who may print it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
import time_machine

from charter.conftest import client_for
from charter.core.tests.pdfinfo import pdf_info
from charter.learning.services.certificates import certificate_add, certification_create
from charter.learning.services.completions import completion_report, completion_review
from charter.learning.services.requirements import Ask, requirement_create


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


def _done(person, training, manager, day, hours):
    completion = completion_report(
        person=person, actor=person.user, training=training, completed_on=day, hours=hours
    )
    completion_review(completion=completion, actor=manager.user, approve=True)


@pytest.fixture
def rita_record(org, admin, rep2, manager, company_training, team_training):
    org.fiscal_year_start_month = 4  # fiscal years from April: FY2027 runs to March 2027
    org.save(update_fields=["fiscal_year_start_month"])
    requirement_create(
        org=org, actor=admin.user, name="Sales basics", scope="company",
        effective_from=dt.date(2026, 1, 1), hours=Decimal("10"), hours_period="quarter",
        asks=[Ask(training=company_training, due_rule="absolute", due_date=dt.date(2026, 6, 30))],
    )  # fmt: skip
    _done(rep2, team_training, manager, dt.date(2026, 3, 10), "3")  # FY2025 Q4
    _done(rep2, team_training, manager, dt.date(2026, 4, 2), "2.5")  # FY2026 Q1
    _done(rep2, company_training, manager, dt.date(2026, 5, 4), "4")  # FY2026 Q1
    # Waiting for approval: listed, but not counted.
    completion_report(person=rep2, actor=rep2.user, training=company_training,
                      completed_on=dt.date(2026, 5, 10), hours="7")  # fmt: skip
    badge = certification_create(org=org, actor=admin.user, name="Cloud Sales", validity_months=12)
    certificate_add(person=rep2, actor=manager.user, certification=badge,
                    issued_on=dt.date(2025, 6, 1), credential_id="CS-42")  # fmt: skip
    return rep2


def _text(pdf: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run([tool, "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def test_record_pdf_lists_hours_per_fiscal_period_certificates_and_requirements(
    rita_record, manager
):
    response = client_for(manager).get(f"/learning/people/{rita_record.pk}/record.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "rita-rep-learning-record-2026-05-20.pdf" in response["Content-Disposition"]
    text = _text(response.content)
    assert "Learning record: Rita Rep" in text
    # Approved hours only, on the April fiscal calendar (a fiscal year is named by the year it
    # ends in): April and May 2026 are FY2027's first quarter, 6.5 hours over two completions;
    # March 2026 closes FY2026.
    assert "FY2027 6.50 2" in text
    assert "FY2026 3 1" in text
    assert "2027-Q1 6.50 2" in text
    assert "2026-Q4 3 1" in text
    assert "Waiting for approval" in text
    # The certificate ends 31 May 2026, within its 60-day window: expiring.
    assert "Cloud Sales 1 Jun 2025 31 May 2026 CS-42 Expiring" in text
    # The requirement today: the company training done; 6.5 of the quarter's 10 hours, due at
    # the quarter's end (41 days away: not yet "due soon").
    assert "Negotiation basics Sales basics 30 Jun 2026 Done" in text
    assert "10 hours a quarter (2027-Q1) Sales basics 30 Jun 2026 Due 6.50 of 10 hours" in text


def test_record_pdf_is_tagged(rita_record):
    pdf = client_for(rita_record).get(f"/learning/people/{rita_record.pk}/record.pdf").content
    info = pdf_info(pdf)
    assert (info["Tagged"], info["Lang"]) == ("yes", "en")
    assert info["Title"] == "Learning record: Rita Rep"


def test_record_pdf_for_the_person_their_managers_above_and_admins_only(
    rita_record, rep, manager, other_manager, admin, executive, other_team_rep
):
    url = f"/learning/people/{rita_record.pk}/record.pdf"
    # Eve is above Mona in the reporting line, so above Rita too.
    for person in (rita_record, manager, executive, admin):
        assert client_for(person).get(url).status_code == 200
    for person in (rep, other_manager, other_team_rep):
        assert client_for(person).get(url).status_code == 404
    # Olga's record is not Mona's to print, though Eve's line reaches her too.
    assert (
        client_for(manager).get(f"/learning/people/{other_team_rep.pk}/record.pdf").status_code
        == 404
    )


def test_record_page_links_the_pdf_only_for_who_may_print(rita_record, manager, rep):
    page = client_for(manager).get(f"/learning/people/{rita_record.pk}/").content.decode()
    assert f"/learning/people/{rita_record.pk}/record.pdf" in page
    mine = client_for(rep).get("/learning/").content.decode()
    assert f"/learning/people/{rep.pk}/record.pdf" in mine
