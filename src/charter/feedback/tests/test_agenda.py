"""Feedback on a 1:1 agenda: what the report received since the last 1:1 that their manager
may read — shared with managers or public, never private — constructive first."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from charter.feedback.agenda import received


@pytest.mark.django_db
def test_the_agenda_lists_recent_feedback_the_manager_may_read(everyone, give, values):
    rick, rita, mona = everyone["rep"], everyone["rep2"], everyone["manager"]
    with time_machine.travel(dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC), tick=False):
        early = give(rita, rick, "public", text="Before the last 1:1")
    give(rita, rick, "private", text="Only for Rick")
    public = give(rita, rick, "public", text="Great demo", values=[values["candor"]])
    shared = give(rita, rick, "managers", kind="constructive", text="Late follow-up")
    items = received(rick, mona, dt.date(2026, 5, 13), dt.date(2026, 5, 20))
    assert [i.key for i in sorted(items, key=lambda i: -i.weight)] == [
        f"feedback:{shared.pk}",
        f"feedback:{public.pk}",
    ]
    titles = {i.key: i.title for i in items}
    assert titles[f"feedback:{public.pk}"] == "Praise from Rita Rep (Candor)"
    assert all(i.url == f"/feedback/people/{rick.pk}/received/" for i in items)
    # Another manager reads only public praise; a first 1:1 looks back 30 days.
    other = received(rick, everyone["other_manager"], None, dt.date(2026, 5, 20))
    assert [i.key for i in other] == [f"feedback:{public.pk}", f"feedback:{early.pk}"]
