"""Notification preferences on the profile page: only those some app sends emails under, each
saying what it covers; saving them; and each person edits only their own."""

from __future__ import annotations

from typing import Any

import pytest

from charter.accounts.models import NotificationPreferences
from charter.conftest import client_for
from charter.core import registry

PROFILE = "/accounts/profile/"


def test_profile_offers_only_preferences_for_emails_that_exist(rep: Any) -> None:
    page = client_for(rep).get(PROFILE).content.decode()

    # Each app's topics in turn (those of apps registered later follow).
    assert "Signatures you have not given yet; certificates about to expire" in page
    assert 'name="reminders"' in page
    assert 'name="answers"' in page
    assert "1:1 reminders with the agenda" in page
    # Words no app registers are not offered (the nav names every app, so check phrases).
    for missing in ("trainings due", "replies to my feedback"):
        assert missing not in page
    # No app sends a digest yet.
    assert 'name="digest"' not in page


def test_a_feature_that_registers_its_emails_adds_its_preference_text(
    rep: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    topics = {k: list(v) for k, v in registry.email_topics.items()}
    monkeypatch.setattr(registry, "email_topics", topics)
    registry.email_topic("reminders", "trainings due")
    registry.email_topic("reminders", "trainings due")
    registry.email_topic("digest", "what changed in your team")

    page = client_for(rep).get(PROFILE).content.decode()

    assert "Signatures you have not given yet; certificates about to expire" in page
    assert "; trainings due." in page
    assert 'name="digest"' in page


def test_saving_preferences_changes_only_those_offered(rep: Any, rep2: Any) -> None:
    NotificationPreferences.objects.create(user=rep.user, digest="daily")

    response = client_for(rep).post(PROFILE, {"answers": "on", "team_alerts": "on"})

    assert response.status_code == 302
    prefs = NotificationPreferences.objects.get(user=rep.user)
    assert (prefs.reminders, prefs.answers, prefs.team_alerts) == (False, True, True)
    assert prefs.digest == "daily"
    assert not NotificationPreferences.objects.filter(user=rep2.user, reminders=False).exists()
