"""A training session in a browser, from scheduling to the hours KPI: the manager schedules a
run of a team training through the form; the rep finds it under Learning > Sessions (no email
goes before enrolment: the session emails are about one's own place) and enrols; the enrolment
email carries the calendar invitation and the link back to the session; once the session has
run (time moved past it, never slept), the manager marks the rep attended, and the rep's
learning record, their `training_hours` figure on the explain page and their status in the
document's learning section all go from 0 to the training's 3.5 hours."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from charter.core.periods import period_containing
from charter.expectations import services as ex
from charter.expectations.models import Change
from charter.learning.models import Completion, Enrolment, EnrolmentStatus, TrainingSession
from charter.learning.services.catalogue import training_create
from charter.learning.services.requirements import requirement_create
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect


def _publish(org: Any, admin: Any) -> Any:
    """The company document from the default template, its learning section generated from
    the live requirements and every hand-written section filled."""
    value = ex.value_create(org=org, actor=admin.user, name="Growth")
    document = ex.document_create(org=org, actor=admin.user, title="How we sell")
    for section in document.sections.filter(provider=""):
        ex.expectation_add(section=section, actor=admin.user, title=section.title,
                           text="Do it.", values=[value])  # fmt: skip
    ex.document_publish(
        document=document, actor=admin.user, summary="v1", change=Change.MATERIAL,
        distribute=False,
    )  # fmt: skip
    return document


def _field(moment: dt.datetime) -> str:
    """A UTC moment as a datetime-local input wants it."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")


def test_a_scheduled_session_attended_adds_its_hours_to_the_rep_s_kpi(
    new_page: Any, live_server: Any, settings: Any, mailoutbox: Any,
    org: Any, teams: Any, admin: Any, manager: Any, rep: Any,
) -> None:  # fmt: skip
    settings.SITE_URL = live_server.url  # links in emails must point at this server
    training = training_create(
        org=org, actor=manager.user, title="Discovery calls", kind="instructor_led",
        expected_hours="3.5", team=teams["east_ent"],
    )  # fmt: skip
    # Starts in the next hour, so the rep can still enrol; whole minutes, as the form takes.
    starts = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=1)
    ends = starts + dt.timedelta(hours=2)
    # Everyone owes 4 hours a quarter; the document's learning section says where the rep is.
    period = period_containing(ends.date(), "quarter", org.fiscal_year_start_month)
    requirement_create(
        org=org, actor=admin.user, name="Keep learning", scope="company",
        effective_from=period.start, hours=Decimal(4), hours_period="quarter",
    )  # fmt: skip
    document = _publish(org, admin)
    document_url = f"/expectations/{document.pk}/"

    boss = new_page()
    sign_in(boss, manager.email)
    boss.goto(f"/learning/trainings/{training.pk}/sessions/new/")
    boss.get_by_label("Starts").fill(_field(starts))
    boss.get_by_label("Ends").fill(_field(ends))
    boss.get_by_label("Time zone").fill("UTC")
    boss.get_by_label("Location").fill("Room 4")
    boss.get_by_label("Capacity (people)").fill("8")
    boss.get_by_role("button", name="Schedule the session").click()
    expect(boss.get_by_text("Session scheduled.")).to_be_visible()
    session = TrainingSession.objects.get(training=training)
    assert (session.starts_at, session.ends_at, session.capacity) == (starts, ends, 8)
    assert session.facilitator_id == manager.pk
    assert mailoutbox == []  # nobody has a place yet: no email

    me = new_page()
    sign_in(me, rep.email)
    me.goto("/learning/")
    me.get_by_role("link", name="Sessions", exact=True).click()
    me.locator(f"a[href='/learning/sessions/{session.pk}/']").click()
    expect(me.get_by_role("heading", level=1)).to_contain_text("Discovery calls")
    me.get_by_role("button", name="Enrol", exact=True).click()
    expect(me.get_by_text("Rick Rep is enrolled.")).to_be_visible()
    assert Enrolment.objects.get(session=session, person=rep).status == EnrolmentStatus.ENROLLED

    [email] = mailoutbox
    assert email.to == [rep.email]
    assert "Discovery calls" in email.subject
    [invite] = email.attachments
    assert invite.mimetype.startswith("text/calendar")
    assert "method=REQUEST" in invite.mimetype
    assert f"DTSTART:{starts.strftime('%Y%m%dT%H%M%SZ')}" in invite.content
    link = re.search(r"The session, to enrol or cancel: (\S+)", email.body)
    assert link, email.body
    assert link.group(1) == f"{live_server.url}/learning/sessions/{session.pk}/"
    me.goto(link.group(1))
    expect(me.get_by_role("region", name="Your place")).to_contain_text("You are enrolled.")

    # Half an hour after the session ended: attendance is open, and the day it counts on has come.
    with time_machine.travel(ends + dt.timedelta(minutes=30), tick=True):
        me.goto(document_url)
        standing = me.locator("section.doc-section", has=me.get_by_role(
            "heading", name="Learning and development"
        )).locator(".doc-reader-status")  # fmt: skip
        # "due soon" or "due" depends on how near the quarter's end today is: not asserted.
        expect(standing).to_contain_text(f"0 of 4 hours in {period.label}: due")
        expect(standing).to_contain_text(f"by {period.end:%-d %B %Y}")
        explain = f"/kpis/people/{rep.pk}/explain/training_hours/?period={period.label}"
        me.goto(explain)
        expect(me.locator("h1")).to_have_text("Training hours: 0.0")

        boss.goto(f"/learning/sessions/{session.pk}/")
        boss.get_by_label("Attendance of Rick Rep", exact=True).select_option("attended")
        boss.get_by_role("button", name="Save the attendance of Rick Rep").click()
        expect(boss.get_by_text("Attendance of Rick Rep saved.")).to_be_visible()
        expect(boss.get_by_role("row", name=re.compile("Rick Rep"))).to_contain_text("Attended")

        [done] = Completion.objects.filter(person=rep)
        assert (done.training_id, str(done.hours), done.completed_on) == (
            training.pk, "3.50", ends.date(),
        )  # fmt: skip

        me.goto("/learning/")
        row = me.get_by_role("row", name=re.compile("Discovery calls"))
        expect(row.get_by_role("cell", name="3.50", exact=True)).to_be_visible()
        expect(row).to_contain_text(ends.strftime("%-d %b %Y"))
        asked = me.get_by_role("region", name="What is asked")
        expect(asked.get_by_role("row", name=re.compile("Keep learning"))).to_contain_text(
            "3.50 of 4 hours"
        )

        me.goto(document_url)
        expect(standing).to_contain_text(f"3.5 of 4 hours in {period.label}: due")
        me.goto(explain)
        expect(me.locator("h1")).to_have_text("Training hours: 3.5")
        expect(me.locator("code[data-substituted]")).to_have_text("3.50")
        expect(me.get_by_role("cell", name="Discovery calls")).to_be_visible()
        expect(me.get_by_text("matches the figure")).to_be_visible()
