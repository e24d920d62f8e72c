"""A person is told when their target changes: by email (real SMTP, unless they turned target
emails off) and on their home page, with the reason the change form promised they would see."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
import time_machine

from charter.accounts.models import NotificationPreferences
from charter.conftest import client_for
from charter.core.models import AuditEvent
from charter.core.periods import parse_period
from charter.kpis import services
from charter.kpis.models import KpiDefinition

pytestmark = pytest.mark.django_db

Q2 = parse_period("2017-Q2")
MAY_15 = dt.datetime(2017, 5, 15, 12, tzinfo=dt.UTC)
REASON = "Territory expanded: took over Quayside"


@pytest.fixture(autouse=True)
def on_may_15() -> Any:
    with time_machine.travel(MAY_15, tick=False):
        yield


def revenue(org: Any) -> KpiDefinition:
    return KpiDefinition.objects.get(org=org, key="revenue_won")


def set_target(org, manager, value, reason="", **subject):
    return services.target_set(
        org=org, kpi=revenue(org), period=Q2, value=value, actor=manager.user, reason=reason,
        **subject,
    )  # fmt: skip


def test_the_person_gets_an_email_over_smtp_with_the_change_and_its_reason(
    org, rep, manager, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        set_target(org, manager, "3000", person=rep)
    assert smtp_server.messages == []  # a first target is no change

    with django_capture_on_commit_callbacks(execute=True):
        set_target(org, manager, "6000", REASON, person=rep)

    assert [tos for _from, tos, _raw in smtp_server.messages] == [[rep.email]]
    message = message_from_bytes(smtp_server.messages[0][2], policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert str(message["Subject"]) == "Your Revenue won target for 2017-Q2 changed"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    plain = text.get_content()
    assert "changes from $3,000 to $6,000 from 15 May 2017" in plain
    assert f"Why: {REASON}" in plain
    assert "Changed by Mona Manager" in plain
    assert f"/kpis/people/{rep.pk}/targets/?period=2017-Q2" in plain
    assert REASON in html.get_content()
    assert "<strong>$6,000</strong>" in html.get_content()


def test_no_email_for_someone_who_turned_target_emails_off(
    org, rep, manager, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreferences.objects.create(user=rep.user, targets=False)
    set_target(org, manager, "3000", person=rep)
    with django_capture_on_commit_callbacks(execute=True):
        set_target(org, manager, "6000", REASON, person=rep)
    assert mailoutbox == []


def test_a_teams_target_change_emails_nobody(
    org, rep, manager, teams, mailoutbox, django_capture_on_commit_callbacks
):
    set_target(org, manager, "30000", team=teams["east_ent"])
    with django_capture_on_commit_callbacks(execute=True):
        set_target(org, manager, "36000", REASON, team=teams["east_ent"])
    assert mailoutbox == []


def test_the_change_is_on_the_persons_home_page_and_nobody_elses(org, rep, rep2, manager):
    set_target(org, manager, "3000", person=rep)
    assert "Your targets changed" not in client_for(rep).get("/").content.decode()
    set_target(org, manager, "6000", REASON, person=rep)

    home = client_for(rep).get("/").content.decode()
    card = home[home.index('data-panel="target-changes"') :]
    assert "Revenue won" in card
    assert "$3,000 → <strong>$6,000</strong> from 15 May 2017" in card
    assert f"Why: {REASON}" in card
    assert "Mona Manager" in card
    assert f'href="/kpis/people/{rep.pk}/targets/"' in card
    assert "Your targets changed" not in client_for(rep2).get("/").content.decode()


def test_the_card_goes_once_the_change_is_a_month_old(org, rep, manager):
    set_target(org, manager, "3000", person=rep)
    set_target(org, manager, "6000", REASON, person=rep)
    with time_machine.travel(MAY_15 + dt.timedelta(days=31), tick=False):
        assert "Your targets changed" not in client_for(rep).get("/").content.decode()


def test_the_profile_offers_to_turn_target_emails_off(rep):
    page = client_for(rep).get("/accounts/profile/").content.decode()
    assert 'name="targets"' in page
    assert "Changes to your targets, with who made them and why." in page


@pytest.mark.django_db
def test_the_audit_feed_names_whose_target_changed(org, teams, manager, rep):
    # The audit row's text is what the admin's activity feed reads: it says whose target it is,
    # not only the KPI's key and the period.
    set_target(org, manager, "1000", person=rep)
    set_target(org, manager, "5000", team=teams["east"])
    texts = list(
        AuditEvent.objects.filter(action="kpis.target.set")
        .order_by("id")
        .values_list("object_repr", flat=True)
    )
    assert texts == [
        f"revenue_won target of {rep.full_name}, 2017-Q2",
        f"revenue_won target of {teams['east'].name}, 2017-Q2",
    ]
